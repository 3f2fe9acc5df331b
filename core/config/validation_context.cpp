// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/validation_context.h"

#include <algorithm>

namespace meshcraft::core::config::detail {

using common::Diagnostic;
using common::Severity;

Field Field::root(const Node &node, std::string path)
{
    Field field;
    field.m_node = &node;
    field.m_path = std::move(path);
    field.m_mark = node.mark;
    return field;
}

bool Field::present() const
{
    return m_node && !m_node->isNullValue();
}

bool Field::isMap() const
{
    return m_node && m_node->isMap();
}

bool Field::isSequence() const
{
    return m_node && m_node->isSequence();
}

std::size_t Field::size() const
{
    if (isSequence()) {
        return m_node->items.size();
    }
    if (isMap()) {
        return m_node->entries.size();
    }
    return 0;
}

Field Field::child(const Node *node, std::string path, Mark keyMark) const
{
    Field field;
    field.m_node = node;
    field.m_path = std::move(path);
    field.m_keyMark = keyMark;
    if (node && node->mark.line > 0) {
        field.m_mark = node->mark;
    } else if (keyMark.line > 0) {
        field.m_mark = keyMark;
    } else {
        // Absent: point at the parent, at its key when it has one.
        field.m_mark = m_keyMark.line > 0 ? m_keyMark : m_mark;
    }
    return field;
}

Field Field::operator[](std::string_view key) const
{
    std::string path = m_path.empty() ? std::string(key) : m_path + "." + std::string(key);
    if (!isMap()) {
        return child(nullptr, std::move(path), {});
    }
    const MapEntry *entry = m_node->findEntry(key);
    if (!entry) {
        return child(nullptr, std::move(path), {});
    }
    return child(&entry->value, std::move(path), entry->keyMark);
}

std::vector<Field> Field::items() const
{
    std::vector<Field> out;
    if (!isSequence()) {
        return out;
    }
    out.reserve(m_node->items.size());
    for (std::size_t i = 0; i < m_node->items.size(); ++i) {
        out.push_back(child(&m_node->items[i], m_path + "[" + std::to_string(i) + "]", {}));
    }
    return out;
}

std::vector<std::pair<std::string, Field>> Field::entries() const
{
    std::vector<std::pair<std::string, Field>> out;
    if (!isMap()) {
        return out;
    }
    out.reserve(m_node->entries.size());
    for (const MapEntry &entry : m_node->entries) {
        std::string path = m_path.empty() ? entry.key : m_path + "." + entry.key;
        out.emplace_back(entry.key, child(&entry.value, std::move(path), entry.keyMark));
    }
    return out;
}

std::optional<std::string> Field::string() const
{
    if (!present()) {
        return std::string();
    }
    if (!m_node->isString()) {
        return std::nullopt;
    }
    return m_node->scalar;
}

std::optional<std::int64_t> Field::integer(std::int64_t min, std::int64_t max) const
{
    if (!present()) {
        return 0;
    }
    const std::optional<std::int64_t> value = m_node->asInt();
    if (!value || *value < min || *value > max) {
        return std::nullopt;
    }
    return value;
}

std::optional<bool> Field::boolean() const
{
    if (!present()) {
        return false;
    }
    return m_node->asBool();
}

std::optional<std::vector<std::string>> Field::strings() const
{
    if (!present()) {
        return std::vector<std::string>();
    }
    if (!isSequence()) {
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (const Node &item : m_node->items) {
        if (item.isString()) {
            out.push_back(item.scalar);
        }
    }
    return out;
}

std::vector<std::pair<std::string, Field>> Field::stringItems() const
{
    std::vector<std::pair<std::string, Field>> out;
    for (const Field &item : items()) {
        if (item.present() && item.node()->isString()) {
            out.emplace_back(item.node()->scalar, item);
        }
    }
    return out;
}

ValidationContext::ValidationContext(const Resource &resource, std::string nameSpace,
                                     common::Diagnostics &out)
    : m_resource(resource), m_nameSpace(std::move(nameSpace)), m_out(out)
{
}

void ValidationContext::add(Severity severity, std::string_view code, std::string message,
                            const Field &at)
{
    common::SourceLocation location{m_resource.file, at.mark().line, at.mark().column};
    if (!location.isKnown()) {
        location = m_resource.location();
    }
    m_out.push_back(Diagnostic{severity, std::string(code), std::move(message), std::move(location),
                               at.path()});
}

void ValidationContext::error(std::string_view code, std::string message, const Field &at)
{
    add(Severity::Error, code, std::move(message), at);
}

void ValidationContext::warning(std::string_view code, std::string message, const Field &at)
{
    add(Severity::Warning, code, std::move(message), at);
}

void ValidationContext::error(const Problem &problem, const Field &at)
{
    add(Severity::Error, problem.code, problem.message, at);
}

void ValidationContext::warning(const Problem &problem, const Field &at)
{
    add(Severity::Warning, problem.code, problem.message, at);
}

void ValidationContext::error(const std::optional<Problem> &problem, const Field &at)
{
    if (problem) {
        error(*problem, at);
    }
}

void ValidationContext::warning(const std::optional<Problem> &problem, const Field &at)
{
    if (problem) {
        warning(*problem, at);
    }
}

void ValidationContext::errors(const Problems &problems, const Field &at)
{
    for (const Problem &problem : problems) {
        error(problem, at);
    }
}

std::size_t ValidationContext::errorCount() const
{
    return static_cast<std::size_t>(
        std::count_if(m_out.begin(), m_out.end(),
                      [](const Diagnostic &d) { return d.severity == Severity::Error; }));
}

} // namespace meshcraft::core::config::detail
