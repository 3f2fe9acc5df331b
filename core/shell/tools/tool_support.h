// SPDX-License-Identifier: GPL-3.0-or-later
// Helpers the terminal's tools share: flag parsing, kubectl's tables, Go's time formats.
#pragma once

#include "core/common/result.h"
#include "core/config/yaml_node.h"
#include "core/shell/shell_command.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::shell::tools {

/// One flag a command accepts. Values are stored under `name` (the long name, no dashes).
struct FlagDef
{
    std::string name;   ///< "namespace"
    char shorthand = 0; ///< 'n'
    bool takesValue = false;
};

/// A command line split the way Go's pflag splits it: flags anywhere, `--name=value`,
/// `--name value`, `-n value`, `-nvalue`, grouped booleans (`-it`), and `--` ending the flags.
struct ParsedArgs
{
    std::map<std::string, std::vector<std::string>> flags;
    std::vector<std::string> positionals; ///< before `--`
    std::vector<std::string> afterDash;   ///< after `--`
    bool sawDash = false;

    bool has(std::string_view name) const;
    /// The last value given, or `fallback`.
    std::string value(std::string_view name, std::string fallback = {}) const;
    std::vector<std::string> values(std::string_view name) const;
    /// A boolean flag: true when given without a value or as `=true`.
    bool isSet(std::string_view name) const;
};

/// Parses `args` (without the command words). Errors use pflag's words:
/// `unknown flag: --foo`, `unknown shorthand flag: 'x' in -x`,
/// `flag needs an argument: --namespace`, `flag needs an argument: 'n' in -n`.
common::Result<ParsedArgs> parseFlags(const std::vector<std::string> &args,
                                      const std::vector<FlagDef> &defs);

/// A table as cli-runtime's tabwriter prints it: each cell but the last padded to its
/// column's widest cell plus `padding`, and at least `minWidth` wide.
std::string formatTable(const std::vector<std::vector<std::string>> &rows, int padding = 3,
                        int minWidth = 6);

/// apimachinery's HumanDuration: 42s, 3m5s, 47m, 3h5m, 30h, 3d4h, 12d, 2y3d.
std::string humanDuration(std::chrono::system_clock::duration duration);

/// "2019-09-23T10:20:31Z"
std::string formatRfc3339(std::chrono::system_clock::time_point time);
/// Go's ANSIC layout, as Helm 2 prints times: "Mon Sep 23 10:25:41 2019".
std::string formatAnsic(std::chrono::system_clock::time_point time);
/// RFC 1123 with a numeric zone, as kubectl describe prints times: "Mon, 23 Sep 2019 10:20:31
/// +0000".
std::string formatRfc1123z(std::chrono::system_clock::time_point time);

/// Compact JSON with the keys of every map sorted, as Go's encoding/json writes a map.
std::string sortedJson(const config::Node &node);

/// A stable identifier made from `seed`, shaped like a Kubernetes UID (8-4-4-4-12 hex).
std::string stableUid(std::string_view seed);
/// `count` lower-case hex digits derived from `seed`.
std::string stableHex(std::string_view seed, std::size_t count);

/// A completion flag with every field named (CompletionSpec declarations).
FlagSpec completionFlag(std::vector<std::string> names, bool takesValue = false,
                        std::vector<std::string> values = {}, CandidateProvider provider = {},
                        bool valueIsFile = false);

/// "a=b,c=d", or "<none>" when empty.
std::string formatLabels(const std::map<std::string, std::string> &labels);

} // namespace meshcraft::core::shell::tools
