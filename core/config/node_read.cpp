// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/node_read.h"

#include <climits>

namespace meshcraft::core::config {

namespace {

const Node *child(const Node *parent, std::string_view key)
{
    return parent ? parent->find(key) : nullptr;
}

bool isStringNode(const Node *node)
{
    return node && node->isScalar() && node->isString();
}

std::optional<int> intValue(const Node &node)
{
    if (!node.isScalar() || node.quoted) {
        return std::nullopt;
    }
    const auto value = node.asInt();
    if (!value || *value < INT_MIN || *value > INT_MAX) {
        return std::nullopt;
    }
    return static_cast<int>(*value);
}

} // namespace

std::string readString(const Node *parent, std::string_view key, std::string fallback)
{
    const Node *node = child(parent, key);
    return isStringNode(node) ? node->scalar : fallback;
}

MarkedString readMarkedString(const Node *parent, std::string_view key)
{
    const Node *node = child(parent, key);
    if (!isStringNode(node)) {
        return MarkedString{{}, markOf(parent, key)};
    }
    return MarkedString{node->scalar, node->mark};
}

int readInt(const Node *parent, std::string_view key, int fallback)
{
    return readOptionalInt(parent, key).value_or(fallback);
}

std::optional<int> readOptionalInt(const Node *parent, std::string_view key)
{
    const Node *node = child(parent, key);
    return node ? intValue(*node) : std::nullopt;
}

bool readBool(const Node *parent, std::string_view key, bool fallback)
{
    const Node *node = child(parent, key);
    if (!node || !node->isScalar() || node->quoted) {
        return fallback;
    }
    return node->asBool().value_or(fallback);
}

std::vector<MarkedString> readMarkedStringList(const Node *parent, std::string_view key)
{
    std::vector<MarkedString> out;
    for (const Node &item : readItems(parent, key)) {
        if (isStringNode(&item)) {
            out.push_back(MarkedString{item.scalar, item.mark});
        }
    }
    return out;
}

std::vector<std::string> readStringList(const Node *parent, std::string_view key)
{
    std::vector<std::string> out;
    for (const MarkedString &item : readMarkedStringList(parent, key)) {
        out.push_back(item.value);
    }
    return out;
}

std::map<std::string, std::string> readStringMap(const Node *parent, std::string_view key)
{
    std::map<std::string, std::string> out;
    if (const Node *map = readMap(parent, key)) {
        for (const MapEntry &entry : map->entries) {
            if (isStringNode(&entry.value)) {
                out[entry.key] = entry.value.scalar;
            }
        }
    }
    return out;
}

const std::vector<Node> &readItems(const Node *parent, std::string_view key)
{
    static const std::vector<Node> None;
    const Node *node = child(parent, key);
    return node && node->isSequence() ? node->items : None;
}

const Node *readMap(const Node *parent, std::string_view key)
{
    const Node *node = child(parent, key);
    return node && node->isMap() ? node : nullptr;
}

Mark markOf(const Node *parent, std::string_view key)
{
    if (const Node *node = child(parent, key)) {
        return node->mark;
    }
    return parent ? parent->mark : Mark{};
}

} // namespace meshcraft::core::config
