// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::config {

/// A 1-based line and column inside one source.
struct Mark
{
    int line = 0;
    int column = 0;
    bool operator==(const Mark &) const = default;
};

enum class NodeKind { Null, Scalar, Sequence, Map };

struct MapEntry;

/// Our own YAML tree. It replaces yaml-cpp's node outside config/ so that every value keeps its
/// position, duplicate keys are caught, and no third-party type leaks into public headers.
/// A scalar keeps its text and whether it was quoted (a quoted or block scalar is always a
/// string; a plain one may resolve to null, a bool or a number, as Kubernetes' YAML reader does).
class Node
{
public:
    NodeKind kind = NodeKind::Null;
    std::string scalar;
    bool quoted = false; ///< quoted ('…', "…") or block (|, >) scalar
    std::string tag;     ///< an explicit tag such as "!!str", else empty
    Mark mark;
    std::vector<Node> items;       ///< Sequence
    std::vector<MapEntry> entries; ///< Map, in document order

    bool isNull() const { return kind == NodeKind::Null; }
    bool isScalar() const { return kind == NodeKind::Scalar; }
    bool isSequence() const { return kind == NodeKind::Sequence; }
    bool isMap() const { return kind == NodeKind::Map; }

    /// Map lookup; nullptr when absent or when this is not a map.
    const Node *find(std::string_view key) const;
    Node *find(std::string_view key);
    /// The entry for a key (to reach the key's own position); nullptr when absent.
    const MapEntry *findEntry(std::string_view key) const;

    /// Plain-scalar resolution, after YAML 1.1 as Kubernetes reads it.
    bool isNullValue() const; ///< Null node, or plain ~ / null / empty
    std::optional<bool> asBool() const;
    std::optional<std::int64_t> asInt() const;
    std::optional<double> asDouble() const;
    /// True when the scalar is a string to a JSON decoder: quoted, or plain but not null,
    /// bool or number.
    bool isString() const;
    /// The scalar text when this is a scalar; empty otherwise.
    const std::string &text() const { return scalar; }
    /// A JSON-ish type name for messages: "string", "integer", "number", "boolean", "null",
    /// "array", "object".
    std::string typeName() const;

    /// Node builders, for tests and for rendering objects in code.
    static Node makeScalar(std::string value, bool quoted = false);
    static Node makeMap();
    static Node makeSequence();
    /// Appends (or replaces) a key in a map node and returns the value slot.
    Node &set(std::string key, Node value);
    /// Number of nodes in this subtree (for budgets).
    std::size_t subtreeSize() const;
};

struct MapEntry
{
    std::string key;
    Mark keyMark;
    Node value;
};

/// Serialises a node as block YAML, in its stored key order (used for `-o yaml` and dumps).
std::string toYaml(const Node &node);
/// A compact, single-line JSON rendering (used in messages and for comparing values).
std::string toJson(const Node &node);
/// Appends `text` as a JSON string literal (quotes and escapes included).
void appendJsonString(std::string &out, std::string_view text);
/// Deep equality of values, ignoring marks and quoting of strings.
bool sameValue(const Node &a, const Node &b);

} // namespace meshcraft::core::config
