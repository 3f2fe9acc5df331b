// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/yaml_node.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace meshcraft::core::config {

namespace {

bool isOneOf(std::string_view text, std::initializer_list<std::string_view> options)
{
    for (std::string_view option : options) {
        if (text == option) {
            return true;
        }
    }
    return false;
}

std::optional<std::int64_t> parseInteger(std::string_view text)
{
    if (text.empty()) {
        return std::nullopt;
    }
    bool negative = false;
    if (text[0] == '+' || text[0] == '-') {
        negative = text[0] == '-';
        text.remove_prefix(1);
    }
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    } else if (text.size() > 2 && text[0] == '0' && text[1] == 'o') {
        base = 8;
        text.remove_prefix(2);
    }
    if (text.empty()) {
        return std::nullopt;
    }
    std::uint64_t magnitude = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    constexpr std::uint64_t Limit = static_cast<std::uint64_t>(INT64_MAX);
    if (magnitude > Limit + (negative ? 1U : 0U)) {
        return std::nullopt;
    }
    if (negative) {
        return magnitude == Limit + 1U ? INT64_MIN : -static_cast<std::int64_t>(magnitude);
    }
    return static_cast<std::int64_t>(magnitude);
}

bool looksLikeFloat(std::string_view text)
{
    if (isOneOf(text, {".inf", ".Inf", ".INF", "+.inf", "-.inf", ".nan", ".NaN", ".NAN"})) {
        return true;
    }
    bool digit = false;
    bool dotOrExp = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c >= '0' && c <= '9') {
            digit = true;
        } else if (c == '.' || c == 'e' || c == 'E') {
            dotOrExp = true;
        } else if ((c == '+' || c == '-') && (i == 0 || text[i - 1] == 'e' || text[i - 1] == 'E')) {
            continue;
        } else {
            return false;
        }
    }
    return digit && dotOrExp;
}


// A plain scalar is safe to print unquoted when reading it back gives the same string.
bool needsQuotes(const std::string &text)
{
    if (text.empty()) {
        return true;
    }
    Node probe = Node::makeScalar(text);
    if (!probe.isString()) {
        return true;
    }
    static const std::string_view Indicators = "-?:,[]{}#&*!|>'\"%@`";
    if (Indicators.find(text.front()) != std::string_view::npos || text.front() == ' ' ||
        text.back() == ' ') {
        return true;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n' || c == '\t' || static_cast<unsigned char>(c) < 0x20) {
            return true;
        }
        if (c == ':' && (i + 1 == text.size() || text[i + 1] == ' ')) {
            return true;
        }
        if (c == '#' && i > 0 && text[i - 1] == ' ') {
            return true;
        }
    }
    return false;
}

std::string yamlScalar(const Node &node)
{
    if (node.isNullValue()) {
        return "null";
    }
    if (node.isString() && needsQuotes(node.scalar)) {
        std::string out;
        appendJsonString(out, node.scalar);
        return out;
    }
    return node.scalar;
}

void writeYaml(std::string &out, const Node &node, int indent, bool inSequence);

void writeIndent(std::string &out, int indent)
{
    out.append(static_cast<std::size_t>(indent), ' ');
}

void writeMapBody(std::string &out, const Node &node, int indent, bool firstInline)
{
    bool first = true;
    for (const MapEntry &entry : node.entries) {
        if (!(first && firstInline)) {
            writeIndent(out, indent);
        }
        first = false;
        out += needsQuotes(entry.key) ? toJson(Node::makeScalar(entry.key, true)) : entry.key;
        out += ':';
        writeYaml(out, entry.value, indent + 2, false);
    }
}

void writeYaml(std::string &out, const Node &node, int indent, bool inSequence)
{
    switch (node.kind) {
    case NodeKind::Null:
    case NodeKind::Scalar:
        out += ' ';
        out += yamlScalar(node);
        out += '\n';
        return;
    case NodeKind::Map:
        if (node.entries.empty()) {
            out += " {}\n";
            return;
        }
        if (inSequence) {
            out += ' ';
            writeMapBody(out, node, indent, true);
        } else {
            out += '\n';
            writeMapBody(out, node, indent, false);
        }
        return;
    case NodeKind::Sequence:
        if (node.items.empty()) {
            out += " []\n";
            return;
        }
        out += '\n';
        for (const Node &item : node.items) {
            // Kubernetes style: sequence items at the parent key's indentation.
            const int itemIndent = indent - 2;
            writeIndent(out, itemIndent);
            out += '-';
            writeYaml(out, item, itemIndent + 2, true);
        }
        return;
    }
}

} // namespace

void appendJsonString(std::string &out, std::string_view text)
{
    out += '"';
    for (const char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                static const char *Hex = "0123456789abcdef";
                out += "\\u00";
                out += Hex[(c >> 4) & 0xf];
                out += Hex[c & 0xf];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

const Node *Node::find(std::string_view key) const
{
    const MapEntry *entry = findEntry(key);
    return entry ? &entry->value : nullptr;
}

Node *Node::find(std::string_view key)
{
    if (kind != NodeKind::Map) {
        return nullptr;
    }
    for (MapEntry &entry : entries) {
        if (entry.key == key) {
            return &entry.value;
        }
    }
    return nullptr;
}

const MapEntry *Node::findEntry(std::string_view key) const
{
    if (kind != NodeKind::Map) {
        return nullptr;
    }
    for (const MapEntry &entry : entries) {
        if (entry.key == key) {
            return &entry;
        }
    }
    return nullptr;
}

bool Node::isNullValue() const
{
    if (kind == NodeKind::Null) {
        return true;
    }
    return kind == NodeKind::Scalar && !quoted && tag.empty() &&
           isOneOf(scalar, {"", "~", "null", "Null", "NULL"});
}

std::optional<bool> Node::asBool() const
{
    if (kind != NodeKind::Scalar || quoted || (!tag.empty() && tag != "!!bool")) {
        return std::nullopt;
    }
    if (isOneOf(scalar, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"})) {
        return true;
    }
    if (isOneOf(scalar, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"})) {
        return false;
    }
    return std::nullopt;
}

std::optional<std::int64_t> Node::asInt() const
{
    if (kind != NodeKind::Scalar || quoted || (!tag.empty() && tag != "!!int")) {
        return std::nullopt;
    }
    return parseInteger(scalar);
}

std::optional<double> Node::asDouble() const
{
    if (kind != NodeKind::Scalar || quoted || (!tag.empty() && tag != "!!float")) {
        return std::nullopt;
    }
    if (const auto integer = parseInteger(scalar)) {
        return static_cast<double>(*integer);
    }
    if (!looksLikeFloat(scalar)) {
        return std::nullopt;
    }
    if (scalar.find("inf") != std::string::npos || scalar.find("Inf") != std::string::npos ||
        scalar.find("INF") != std::string::npos) {
        return scalar[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    }
    if (scalar.find("nan") != std::string::npos || scalar.find("NaN") != std::string::npos ||
        scalar.find("NAN") != std::string::npos) {
        return std::nan("");
    }
    errno = 0;
    char *end = nullptr;
    const double value = std::strtod(scalar.c_str(), &end);
    if (errno != 0 || end != scalar.c_str() + scalar.size()) {
        return std::nullopt;
    }
    return value;
}

bool Node::isString() const
{
    if (kind != NodeKind::Scalar) {
        return false;
    }
    if (quoted || tag == "!!str") {
        return true;
    }
    return !isNullValue() && !asBool() && !asDouble();
}

std::string Node::typeName() const
{
    switch (kind) {
    case NodeKind::Null:
        return "null";
    case NodeKind::Sequence:
        return "array";
    case NodeKind::Map:
        return "object";
    case NodeKind::Scalar:
        break;
    }
    if (isString()) {
        return "string";
    }
    if (isNullValue()) {
        return "null";
    }
    if (asBool()) {
        return "boolean";
    }
    if (asInt()) {
        return "integer";
    }
    return "number";
}

Node Node::makeScalar(std::string value, bool isQuoted)
{
    Node node;
    node.kind = NodeKind::Scalar;
    node.scalar = std::move(value);
    node.quoted = isQuoted;
    return node;
}

Node Node::makeMap()
{
    Node node;
    node.kind = NodeKind::Map;
    return node;
}

Node Node::makeSequence()
{
    Node node;
    node.kind = NodeKind::Sequence;
    return node;
}

Node &Node::set(std::string key, Node value)
{
    if (kind != NodeKind::Map) {
        *this = makeMap();
    }
    if (Node *existing = find(key)) {
        *existing = std::move(value);
        return *existing;
    }
    entries.push_back(MapEntry{std::move(key), Mark{}, std::move(value)});
    return entries.back().value;
}

std::size_t Node::subtreeSize() const
{
    std::size_t size = 1;
    for (const Node &item : items) {
        size += item.subtreeSize();
    }
    for (const MapEntry &entry : entries) {
        size += entry.value.subtreeSize();
    }
    return size;
}

std::string toYaml(const Node &node)
{
    std::string out;
    if (node.isMap() && !node.entries.empty()) {
        writeMapBody(out, node, 0, false);
    } else if (node.isSequence() && !node.items.empty()) {
        for (const Node &item : node.items) {
            out += '-';
            writeYaml(out, item, 2, true);
        }
    } else {
        writeYaml(out, node, 0, false);
        out.erase(0, 1);
    }
    return out;
}

std::string toJson(const Node &node)
{
    std::string out;
    switch (node.kind) {
    case NodeKind::Null:
        return "null";
    case NodeKind::Scalar:
        if (node.isString()) {
            appendJsonString(out, node.scalar);
        } else if (node.isNullValue()) {
            out = "null";
        } else if (const auto b = node.asBool()) {
            out = *b ? "true" : "false";
        } else {
            out = node.scalar;
        }
        return out;
    case NodeKind::Sequence:
        out += '[';
        for (std::size_t i = 0; i < node.items.size(); ++i) {
            if (i > 0) {
                out += ',';
            }
            out += toJson(node.items[i]);
        }
        out += ']';
        return out;
    case NodeKind::Map:
        out += '{';
        for (std::size_t i = 0; i < node.entries.size(); ++i) {
            if (i > 0) {
                out += ',';
            }
            appendJsonString(out, node.entries[i].key);
            out += ':';
            out += toJson(node.entries[i].value);
        }
        out += '}';
        return out;
    }
    return out;
}

bool sameValue(const Node &a, const Node &b)
{
    if (a.isNullValue() && b.isNullValue()) {
        return true;
    }
    if (a.kind != b.kind) {
        return false;
    }
    switch (a.kind) {
    case NodeKind::Null:
        return true;
    case NodeKind::Scalar:
        return a.scalar == b.scalar && a.isString() == b.isString();
    case NodeKind::Sequence:
        if (a.items.size() != b.items.size()) {
            return false;
        }
        for (std::size_t i = 0; i < a.items.size(); ++i) {
            if (!sameValue(a.items[i], b.items[i])) {
                return false;
            }
        }
        return true;
    case NodeKind::Map:
        if (a.entries.size() != b.entries.size()) {
            return false;
        }
        for (const MapEntry &entry : a.entries) {
            const Node *other = b.find(entry.key);
            if (!other || !sameValue(entry.value, *other)) {
                return false;
            }
        }
        return true;
    }
    return false;
}

} // namespace meshcraft::core::config
