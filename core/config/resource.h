// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/config/yaml_loader.h"
#include "core/config/yaml_node.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::config {

/// The kinds Meshcraft understands. Istio's networking kinds and the Kubernetes kinds that the
/// workshop's files and the Helm chart use.
enum class Kind {
    ServiceEntry,
    Gateway,
    DestinationRule,
    VirtualService,
    Sidecar,
    Namespace,
    Pod,
    Deployment,
    Service,
    ConfigMap,
};

/// What the API server knows about a kind: its group, served versions and names.
struct KindInfo
{
    Kind kind;
    std::string_view name;     ///< "ServiceEntry"
    std::string_view group;    ///< "networking.istio.io"; "" for the core group, "apps" ...
    std::vector<std::string_view> versions; ///< served versions, e.g. v1alpha3, v1beta1, v1
    std::string_view plural;   ///< "serviceentries"
    std::vector<std::string_view> shortNames; ///< "se"
    bool namespaced = true;
    bool istio = false;
};

const std::vector<KindInfo> &knownKinds();
const KindInfo &kindInfo(Kind kind);
/// Looks a kind up by its Kind name ("ServiceEntry"), plural, singular or short name,
/// case-insensitively, as `kubectl get` accepts them.
const KindInfo *findKindByResourceName(std::string_view name);

struct ObjectMeta
{
    std::string name;
    std::string nameSpace; ///< empty when the file does not say
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
};

/// One API object as read from YAML: its identity plus the whole document, so that every
/// field can still be traced to its line and column.
struct Resource
{
    Kind kind = Kind::ConfigMap;
    std::string apiVersion; ///< as written, e.g. "networking.istio.io/v1alpha3"
    std::string version;    ///< "v1alpha3"
    ObjectMeta metadata;
    Node document;          ///< the whole document
    std::string file;       ///< where it came from ("redis-serviceentry.yaml", "<stdin>")
    int documentIndex = 0;  ///< 0-based position in its stream

    const KindInfo &info() const { return kindInfo(kind); }
    const Node *spec() const { return document.find("spec"); }
    /// "ServiceEntry default/redis-serviceentry" (no namespace part when it is unset).
    std::string displayName() const;
    common::SourceLocation locationOf(const Node &node) const;
    /// Location of the document itself (its first line).
    common::SourceLocation location() const;
};

struct ParseResult
{
    std::vector<Resource> resources;
    common::Diagnostics diagnostics; ///< YAML syntax and object-identity problems
};

/// Reads a multi-document stream into resources. A document with a YAML error makes the whole
/// stream unusable (as kubectl refuses an unparsable file). A document that parses but has no
/// usable identity (missing apiVersion/kind/name, unknown kind) is reported and skipped; the
/// others are returned, so per-document apply can go on.
ParseResult parseResources(std::string_view text, const std::string &fileName,
                           const YamlLimits &limits = {});

/// Identity check for one parsed document: fills `resource` or explains what is missing.
/// Stable codes: k8s.missing-apiversion, k8s.missing-kind, k8s.unknown-kind, k8s.missing-name,
/// k8s.not-an-object.
std::optional<Resource> resourceFromDocument(const YamlDocument &document,
                                             const std::string &fileName,
                                             common::Diagnostics &diagnostics);

} // namespace meshcraft::core::config
