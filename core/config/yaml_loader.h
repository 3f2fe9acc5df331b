// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/config/yaml_node.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::config {

/// One YAML document of a multi-document stream.
struct YamlDocument
{
    Node root;
    int index = 0;     ///< 0-based position in the stream, counting empty documents too
    Mark start;        ///< where the document's content starts
};

/// Limits that keep hostile input from exhausting memory or the stack.
struct YamlLimits
{
    std::size_t maxDepth = 256;          ///< nested collections
    std::size_t maxNodes = 2'000'000;    ///< nodes built, aliases expanded included
    std::size_t maxAliasNodes = 100'000; ///< nodes copied by alias expansion
};

struct YamlLoadResult
{
    std::vector<YamlDocument> documents; ///< non-empty documents that parsed
    common::Diagnostics diagnostics;     ///< syntax problems; errors mean the stream is unusable
};

/// Parses a multi-document YAML stream. Never throws. Every problem is a diagnostic with the
/// file, a 1-based line and column, and a stable code (yaml.syntax, yaml.tab-indent,
/// yaml.duplicate-key, yaml.too-deep, yaml.alias-budget, yaml.unknown-alias, yaml.binary).
/// On any syntax error the whole stream is reported unusable (documents may be partial).
YamlLoadResult loadYaml(std::string_view text, const std::string &fileName,
                        const YamlLimits &limits = {});

} // namespace meshcraft::core::config
