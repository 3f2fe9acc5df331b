// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/tools/go_yaml.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace meshcraft::core::shell::tools {

using config::MapEntry;
using config::Node;
using config::NodeKind;

namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

// go-yaml's emitter refuses a plain scalar that starts with an indicator, has leading or
// trailing spaces, or holds ": " / " #"; it then falls back to single quotes.
bool plainAllowed(std::string_view text)
{
    if (text.empty() || isBlank(text.front()) || isBlank(text.back())) {
        return false;
    }
    static constexpr std::string_view AlwaysSpecial = ",[]{}#&*!|>'\"%@`";
    const char first = text.front();
    if (AlwaysSpecial.find(first) != std::string_view::npos) {
        return false;
    }
    if ((first == '-' || first == '?' || first == ':') && (text.size() == 1 || isBlank(text[1]))) {
        return false;
    }
    if (text.starts_with("---") || text.starts_with("...")) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
            return false;
        }
        if (c == ':' && (i + 1 == text.size() || isBlank(text[i + 1]))) {
            return false;
        }
        if (c == '#' && i > 0 && isBlank(text[i - 1])) {
            return false;
        }
    }
    return true;
}

// YAML 1.1 words go-yaml resolves to booleans, beyond what our Node resolves.
bool isYaml11Bool(std::string_view text)
{
    static constexpr std::string_view Words[] = {"y",  "Y",   "yes", "Yes", "YES", "n",
                                                 "N",  "no",  "No",  "NO",  "on",  "On",
                                                 "ON", "off", "Off", "OFF"};
    return std::find(std::begin(Words), std::end(Words), text) != std::end(Words);
}

std::string doubleQuoted(std::string_view text)
{
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += c;
        }
    }
    out += '"';
    return out;
}

std::string singleQuoted(std::string_view text)
{
    std::string out = "'";
    for (const char c : text) {
        out += c;
        if (c == '\'') {
            out += '\'';
        }
    }
    out += '\'';
    return out;
}

// go-yaml writes strings that would read back as a timestamp in double quotes
// (creationTimestamp: "2019-09-23T10:20:31Z").
bool looksLikeTimestamp(std::string_view text)
{
    const auto digit = [&](std::size_t i) {
        return i < text.size() && text[i] >= '0' && text[i] <= '9';
    };
    return digit(0) && digit(1) && digit(2) && digit(3) && text.size() > 5 && text[4] == '-' &&
           digit(5);
}

std::string stringScalar(const std::string &text)
{
    Node probe = Node::makeScalar(text);
    if (!probe.isString() || isYaml11Bool(text) || looksLikeTimestamp(text)) {
        return doubleQuoted(text);
    }
    return plainAllowed(text) ? text : singleQuoted(text);
}

std::vector<const MapEntry *> sortedEntries(const Node &node)
{
    std::vector<const MapEntry *> entries;
    entries.reserve(node.entries.size());
    for (const MapEntry &entry : node.entries) {
        entries.push_back(&entry);
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const MapEntry *a, const MapEntry *b) { return a->key < b->key; });
    return entries;
}

void writeNode(std::string &out, const Node &node, int indent, bool inSequence);

void writeIndent(std::string &out, int indent)
{
    out.append(static_cast<std::size_t>(std::max(indent, 0)), ' ');
}

// A literal block: `|-` without a final newline, `|` with one, `|+` with more.
void writeLiteral(std::string &out, const std::string &text, int indent)
{
    std::size_t trailing = 0;
    while (trailing < text.size() && text[text.size() - 1 - trailing] == '\n') {
        ++trailing;
    }
    out += trailing == 0 ? " |-\n" : (trailing == 1 ? " |\n" : " |+\n");
    const std::string_view body(text.data(), text.size() - std::min<std::size_t>(trailing, 1));
    std::size_t start = 0;
    while (start <= body.size()) {
        const std::size_t end = body.find('\n', start);
        const std::string_view line = body.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (!line.empty()) {
            writeIndent(out, indent);
            out += line;
        }
        out += '\n';
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
}

void writeMapBody(std::string &out, const Node &node, int indent, bool firstInline)
{
    bool first = true;
    for (const MapEntry *entry : sortedEntries(node)) {
        if (!(first && firstInline)) {
            writeIndent(out, indent);
        }
        first = false;
        out += stringScalar(entry->key);
        out += ':';
        writeNode(out, entry->value, indent + 2, false);
    }
}

void writeNode(std::string &out, const Node &node, int indent, bool inSequence)
{
    switch (node.kind) {
    case NodeKind::Null:
    case NodeKind::Scalar:
        if (node.isString() && node.scalar.find('\n') != std::string::npos) {
            writeLiteral(out, node.scalar, inSequence ? indent : indent);
            return;
        }
        out += ' ';
        out += goYamlScalar(node);
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
            // Kubernetes style: items at the parent key's indentation (a nested list indents).
            const int itemIndent = inSequence ? indent : indent - 2;
            writeIndent(out, itemIndent);
            out += '-';
            writeNode(out, item, itemIndent + 2, true);
        }
        return;
    }
}

} // namespace

std::string goYamlScalar(const Node &node)
{
    if (node.isNullValue() && !node.isString()) {
        return "null";
    }
    if (node.isString()) {
        return stringScalar(node.scalar);
    }
    if (const auto value = node.asBool()) {
        return *value ? "true" : "false";
    }
    return node.scalar;
}

std::string marshalGoYaml(const Node &node)
{
    std::string out;
    if (node.isMap() && !node.entries.empty()) {
        writeMapBody(out, node, 0, false);
    } else if (node.isSequence() && !node.items.empty()) {
        for (const Node &item : node.items) {
            out += '-';
            writeNode(out, item, 2, true);
        }
    } else {
        writeNode(out, node, 0, false);
        out.erase(0, 1);
    }
    return out;
}

} // namespace meshcraft::core::shell::tools
