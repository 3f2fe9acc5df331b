// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/common/result.h"
#include "core/config/yaml_node.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::config {

// Helm 2 values as a Node tree (a map at the root). Strings are quoted scalars, so a value
// keeps its type whatever its text ("true" from --set-string stays a string).

/// Applies one `--set` (or `--set-string` when `forceString`) argument as Helm 2's strvals
/// parser does: `a.b.c=v`, list indexes `a[0].b=v`, several assignments separated by commas,
/// `{x,y}` lists, and backslash escapes (`\,` `\.`). Without `forceString`, values are typed
/// like Helm 2: true/false (any case) are booleans, null is null, integers without a leading
/// zero (and 0 itself) are integers, everything else a string. The error text is Helm's
/// (`key "foo" has no value`); callers add `failed parsing --set data: `.
common::Result<void> applySetArgument(Node &values, std::string_view argument,
                                      bool forceString = false);

/// Helm 2's mergeValues, used for `-f` files in order: maps merge recursively, anything else
/// (lists included) is replaced by `src`.
void mergeValues(Node &dest, const Node &src);

/// Helm 2's coalesce of supplied values over chart defaults: supplied values win, maps merge,
/// and a supplied null deletes the default.
Node coalesceValues(const Node &supplied, const Node &defaults);

/// The value at a dotted path ("gateways.istio-egressgateway.ports"), or null.
const Node *lookupValue(const Node &values, std::string_view dottedPath);

/// The paths of a values tree's leaves: scalars, nulls, lists (not their items) and empty maps.
/// Keys containing a dot are not escaped; list items are not entered.
std::vector<std::string> leafPaths(const Node &values);

struct HelmValuesFile
{
    std::string name; ///< as given to -f, for messages
    std::string text;
};

/// What a `helm install` or `helm upgrade` command line supplies.
struct HelmValuesInput
{
    std::vector<HelmValuesFile> files;  ///< -f, in order
    std::vector<std::string> set;       ///< --set, in order
    std::vector<std::string> setString; ///< --set-string, in order

    bool empty() const { return files.empty() && set.empty() && setString.empty(); }
};

/// Builds the supplied values as Helm 2 does: the -f files deep-merged in order, then every
/// --set, then every --set-string.
common::Result<Node> buildValues(const HelmValuesInput &input);

/// A chart's default values and the keys it knows, for did-you-mean notes.
class HelmChart
{
public:
    /// Reads `<dir>/values.yaml` and each `<dir>/charts/<name>-values.yaml`. A subchart's
    /// defaults live under its name; the parent's values for that name override them.
    static common::Result<HelmChart> load(const std::filesystem::path &dir, std::string name,
                                          std::string version);
    /// The istio 1.3.0 chart from the data folder, read once and kept.
    static const common::Result<HelmChart> &istio130();

    const std::string &name() const { return m_name; }
    const std::string &version() const { return m_version; }
    const Node &defaults() const { return m_defaults; }

    /// Whether the chart reads this path (list indexes allowed: `a.ports[3].name`).
    /// Everything under a list, an empty map, a null placeholder or a free-form map
    /// (labels, annotations, env, resources, nodeSelector) counts as known.
    bool isKnownKey(std::string_view path) const;
    /// The closest known key, when one is close enough to be a likely typo.
    std::optional<std::string> suggestKey(std::string_view path) const;
    /// Notes (severity Info, code helm.unknown-key) for each supplied leaf the chart does not
    /// know, with a did-you-mean when there is one.
    common::Diagnostics unknownKeyNotes(const Node &supplied) const;

private:
    std::string m_name;
    std::string m_version;
    Node m_defaults;
    std::vector<std::string> m_knownKeys; ///< every map path of the defaults
};

} // namespace meshcraft::core::config
