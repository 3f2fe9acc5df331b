// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to config/: the plumbing that every webhook rule shares. A rule reads the document
// through Field (a node plus its path and position) and reports through ValidationContext, which
// stamps each diagnostic with the file, line, column and field path.

#include "core/common/diagnostic.h"
#include "core/config/resource.h"
#include "core/config/yaml_node.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshcraft::core::config::detail {

/// One finding of a primitive check, before it is placed: a stable code and Istio's text.
struct Problem
{
    std::string code;
    std::string message;
};

using Problems = std::vector<Problem>;

/// A field of a document as a rule sees it: the node (null when the field is absent), its path
/// (`spec.ports[0].name`) and where a diagnostic about it points. An absent field points at its
/// parent (the parent's key when it has one), so "missing" findings still land on a real line.
///
/// The typed readers follow proto3 JSON decoding, which is what Istio's webhook sees: an absent
/// or null scalar reads as its zero value. A value of the wrong type reads as std::nullopt, and
/// the rule that needed it is skipped: the CRD schema layer reports the type error.
class Field
{
public:
    Field() = default;
    /// The root of a document (or any node a caller wants to start from).
    static Field root(const Node &node, std::string path = {});

    /// Present and not null.
    bool present() const;
    bool isMap() const;
    bool isSequence() const;
    /// Items of a sequence or entries of a map; 0 for anything else.
    std::size_t size() const;

    const Node *node() const { return m_node; }
    const std::string &path() const { return m_path; }
    Mark mark() const { return m_mark; }

    /// A map member; absent when this is not a map or has no such key.
    Field operator[](std::string_view key) const;
    /// Items of a sequence (empty when this is not a sequence).
    std::vector<Field> items() const;
    /// Entries of a map, as (key, value) in document order (empty when this is not a map).
    std::vector<std::pair<std::string, Field>> entries() const;

    /// A string value: "" when absent or null, the text when it is a string, nullopt when the
    /// value has another type.
    std::optional<std::string> string() const;
    /// An integer value within [min, max]: 0 when absent or null, nullopt for another type or a
    /// value outside the range (the proto decoder would refuse it).
    std::optional<std::int64_t> integer(std::int64_t min, std::int64_t max) const;
    std::optional<std::int64_t> uint32() const { return integer(0, 4294967295LL); }
    std::optional<std::int64_t> int32() const { return integer(-2147483648LL, 2147483647LL); }
    /// A boolean: false when absent or null, nullopt for another type.
    std::optional<bool> boolean() const;
    /// A list of strings: empty when absent or null, nullopt when this is not a list. Items of
    /// another type are left out (see stringItems() to keep their positions).
    std::optional<std::vector<std::string>> strings() const;
    /// The string items of a list with their fields; items of another type are left out.
    std::vector<std::pair<std::string, Field>> stringItems() const;

private:
    Field child(const Node *node, std::string path, Mark keyMark) const;

    const Node *m_node = nullptr;
    std::string m_path;
    Mark m_mark;    ///< where diagnostics about this field point
    Mark m_keyMark; ///< the key that introduced this field, when it is a map member
};

/// Collects diagnostics for one resource, with the resource's file and each field's position.
class ValidationContext
{
public:
    ValidationContext(const Resource &resource, std::string nameSpace, common::Diagnostics &out);

    const Resource &resource() const { return m_resource; }
    /// The namespace the object will live in (its own, else the caller's default).
    const std::string &nameSpace() const { return m_nameSpace; }
    Field document() const { return Field::root(m_resource.document); }
    Field spec() const { return document()["spec"]; }

    void error(std::string_view code, std::string message, const Field &at);
    void warning(std::string_view code, std::string message, const Field &at);
    void error(const Problem &problem, const Field &at);
    void warning(const Problem &problem, const Field &at);
    void error(const std::optional<Problem> &problem, const Field &at);
    void warning(const std::optional<Problem> &problem, const Field &at);
    void errors(const Problems &problems, const Field &at);

    /// Number of errors reported so far (for rules that depend on an earlier failure).
    std::size_t errorCount() const;

private:
    void add(common::Severity severity, std::string_view code, std::string message,
             const Field &at);

    const Resource &m_resource;
    std::string m_nameSpace;
    common::Diagnostics &m_out;
};

} // namespace meshcraft::core::config::detail
