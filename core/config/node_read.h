// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/yaml_node.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::config {

/// A string value together with where it was written, for fields that later diagnostics
/// (validators, the analyzer, the mesh view) must point back to.
struct MarkedString
{
    std::string value;
    Mark mark;
    bool operator==(const MarkedString &) const = default;
};

// Tolerant readers used by the typed resources. Validation is a separate pass, so a missing or
// wrongly typed field reads as the fallback instead of failing. `parent` may be null.

/// A string scalar (quoted, or plain but not null/bool/number); else the fallback.
std::string readString(const Node *parent, std::string_view key, std::string fallback = {});
MarkedString readMarkedString(const Node *parent, std::string_view key);
/// An integer scalar that fits in an int; else the fallback.
int readInt(const Node *parent, std::string_view key, int fallback = 0);
std::optional<int> readOptionalInt(const Node *parent, std::string_view key);
bool readBool(const Node *parent, std::string_view key, bool fallback = false);
/// The string items of a list; non-string items are skipped.
std::vector<MarkedString> readMarkedStringList(const Node *parent, std::string_view key);
std::vector<std::string> readStringList(const Node *parent, std::string_view key);
/// A map of string values (labels, selectors, ConfigMap data); non-string values are skipped.
std::map<std::string, std::string> readStringMap(const Node *parent, std::string_view key);
/// The items of a list, or none when the field is absent or not a list.
const std::vector<Node> &readItems(const Node *parent, std::string_view key);
/// The child when it is a map, else null.
const Node *readMap(const Node *parent, std::string_view key);
/// Where the field's value was written; the parent's mark when it is absent.
Mark markOf(const Node *parent, std::string_view key);

} // namespace meshcraft::core::config
