// SPDX-License-Identifier: GPL-3.0-or-later
// Structural-schema validation of Istio resources, after the Kubernetes API server: pruning of
// unknown fields (k8s strict decoding), kube-openapi's validators, list-map keys, then CEL.
// Messages follow apimachinery's field.Error formatting ("<path>: <Type>: <value>: <detail>").
#include "core/config/schema_validation.h"

#include "core/config/schema_cel.h"
#include "core/config/validation_primitives.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <unordered_map>

namespace meshcraft::core::config {

using common::Diagnostic;
using common::Diagnostics;
using common::Severity;
using detail::goQuote; // strconv.Quote, shared with the webhook rules

namespace {

// ---- value rendering, as Go's fmt prints the decoded JSON ----------------------------------

enum class JsonType { Null, String, Integer, Number, Boolean, Array, Object };

bool integralNumber(double value)
{
    return std::isfinite(value) && std::floor(value) == value && std::fabs(value) < 9.2e18;
}

JsonType jsonType(const Node &node)
{
    switch (node.kind) {
    case NodeKind::Null:
        return JsonType::Null;
    case NodeKind::Sequence:
        return JsonType::Array;
    case NodeKind::Map:
        return JsonType::Object;
    case NodeKind::Scalar:
        break;
    }
    if (node.isString()) {
        return JsonType::String;
    }
    if (node.isNullValue()) {
        return JsonType::Null;
    }
    if (node.asBool()) {
        return JsonType::Boolean;
    }
    if (node.asInt()) {
        return JsonType::Integer;
    }
    // YAML → JSON writes an integral float without a fraction, so Go decodes it as int64.
    const auto number = node.asDouble();
    return number && integralNumber(*number) ? JsonType::Integer : JsonType::Number;
}

const char *jsonTypeName(JsonType type)
{
    switch (type) {
    case JsonType::Null:
        return "null";
    case JsonType::String:
        return "string";
    case JsonType::Integer:
        return "integer";
    case JsonType::Number:
        return "number";
    case JsonType::Boolean:
        return "boolean";
    case JsonType::Array:
        return "array";
    case JsonType::Object:
        return "object";
    }
    return "null";
}

const char *schemaTypeName(SchemaType type)
{
    switch (type) {
    case SchemaType::String:
        return "string";
    case SchemaType::Integer:
        return "integer";
    case SchemaType::Number:
        return "number";
    case SchemaType::Boolean:
        return "boolean";
    case SchemaType::Object:
        return "object";
    case SchemaType::Array:
        return "array";
    case SchemaType::Any:
        break;
    }
    return "";
}

// fmt's %v for a float64: shortest digits, exponent form below 1e-4 or from 1e21.
std::string goFloat(double value)
{
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value < 0 ? "-Inf" : "+Inf";
    }
    std::array<char, 64> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                      std::chars_format::scientific);
    const std::string scientific(buffer.data(), result.ptr);
    const auto ePos = scientific.find('e');
    const int exponent = std::stoi(scientific.substr(ePos + 1));
    std::string mantissa = scientific.substr(0, ePos);
    const bool negative = !mantissa.empty() && mantissa.front() == '-';
    if (negative) {
        mantissa.erase(0, 1);
    }
    std::string digits;
    for (const char c : mantissa) {
        if (c != '.') {
            digits += c;
        }
    }
    std::string out = negative ? "-" : "";
    if (exponent < -4 || exponent >= 21) {
        out += digits.substr(0, 1);
        if (digits.size() > 1) {
            out += '.' + digits.substr(1);
        }
        out += exponent < 0 ? "e-" : "e+";
        const std::string magnitude = std::to_string(std::abs(exponent));
        out += (magnitude.size() < 2 ? "0" : "") + magnitude;
        return out;
    }
    if (exponent < 0) {
        out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
        return out;
    }
    const auto intDigits = static_cast<std::size_t>(exponent) + 1;
    if (digits.size() <= intDigits) {
        out += digits + std::string(intDigits - digits.size(), '0');
    } else {
        out += digits.substr(0, intDigits) + '.' + digits.substr(intDigits);
    }
    return out;
}

std::string goInteger(const Node &node)
{
    if (const auto value = node.asInt()) {
        return std::to_string(*value);
    }
    return std::to_string(static_cast<std::int64_t>(node.asDouble().value_or(0)));
}

// A decoded value as field.Error prints it: strings quoted, numbers and bools bare, anything
// else as Go's %#v would (close enough for lists and maps, which rarely reach a message).
std::string goValue(const Node &node)
{
    switch (jsonType(node)) {
    case JsonType::Null:
        return "null";
    case JsonType::String:
        return goQuote(node.scalar);
    case JsonType::Integer:
        return goInteger(node);
    case JsonType::Number:
        return goFloat(node.asDouble().value_or(0));
    case JsonType::Boolean:
        return *node.asBool() ? "true" : "false";
    case JsonType::Array:
        return "[]interface {}" + toJson(node);
    case JsonType::Object:
        return "map[string]interface {}" + toJson(node);
    }
    return "null";
}

std::string goNumberBound(double bound, bool integerValue)
{
    return integerValue ? std::to_string(static_cast<std::int64_t>(bound)) : goFloat(bound);
}

// ---- paths -----------------------------------------------------------------------------------

/// The two spellings of one location: kube-openapi's (map keys joined with dots) and
/// apimachinery's field.Path (map keys in brackets), which CEL and list errors use.
struct FieldPath
{
    std::string api;
    std::string field;

    FieldPath child(std::string_view name) const { return {join(api, name), join(field, name)}; }
    FieldPath index(std::size_t i) const
    {
        const std::string suffix = "[" + std::to_string(i) + "]";
        return {api + suffix, field + suffix};
    }
    FieldPath key(std::string_view name) const
    {
        return {join(api, name), field + "[" + std::string(name) + "]"};
    }

private:
    static std::string join(const std::string &base, std::string_view name)
    {
        return base.empty() ? std::string(name) : base + "." + std::string(name);
    }
};

// ---- the validator ---------------------------------------------------------------------------

/// Diagnostics of one evaluation; combinator branches get their own and are merged or dropped.
struct Sink
{
    Diagnostics diagnostics;
    bool blocking = false; ///< an error that keeps the API server from running CEL

    bool valid() const { return !common::hasErrors(diagnostics); }
    void merge(const Sink &other)
    {
        diagnostics.insert(diagnostics.end(), other.diagnostics.begin(), other.diagnostics.end());
        blocking = blocking || other.blocking;
    }
};

constexpr std::array<std::string_view, 15> ObjectMetaFields = {"name",
                                                               "generateName",
                                                               "namespace",
                                                               "selfLink",
                                                               "uid",
                                                               "resourceVersion",
                                                               "generation",
                                                               "creationTimestamp",
                                                               "deletionTimestamp",
                                                               "deletionGracePeriodSeconds",
                                                               "labels",
                                                               "annotations",
                                                               "ownerReferences",
                                                               "finalizers",
                                                               "managedFields"};

class SchemaValidator
{
public:
    explicit SchemaValidator(const Resource &resource) : m_resource(resource) {}

    Diagnostics run(const SchemaNode &root)
    {
        const Node &document = m_resource.document;
        Sink schema;
        validateRoot(root, document, schema);
        Diagnostics out = std::move(schema.diagnostics);
        out.insert(out.end(), m_listErrors.begin(), m_listErrors.end());
        if (schema.blocking) {
            out.push_back(Diagnostic{
                Severity::Info,
                "schema.cel-skipped",
                "<nil>: Invalid value: \"null\": some validation rules were not checked because "
                "the object was invalid; correct the existing errors to complete validation",
                m_resource.locationOf(document),
                {}});
        } else {
            Diagnostics cel;
            for (const MapEntry &entry : document.entries) {
                if (entry.key == "spec") {
                    if (const SchemaNode *spec = root.property("spec")) {
                        runCel(*spec, entry.value, FieldPath{}.child("spec"), entry.keyMark, cel);
                    }
                }
            }
            out.insert(out.end(), cel.begin(), cel.end());
        }
        return out;
    }

private:
    // -- reporting --

    Mark where(const Node &node, Mark anchor) const
    {
        if ((node.isScalar() || node.isNull()) && node.mark.line > 0) {
            return node.mark;
        }
        return anchor.line > 0 ? anchor : node.mark;
    }

    void report(Sink &sink, Severity severity, std::string_view code, std::string message,
                Mark mark, const FieldPath &path) const
    {
        sink.diagnostics.push_back(Diagnostic{
            severity, std::string(code), std::move(message),
            common::SourceLocation{m_resource.file, mark.line, mark.column}, path.field});
    }

    void error(Sink &sink, std::string_view code, std::string message, Mark mark,
               const FieldPath &path, bool blocking = false) const
    {
        report(sink, Severity::Error, code, std::move(message), mark, path);
        sink.blocking = sink.blocking || blocking;
    }

    void unknownField(Sink &sink, const FieldPath &path, Mark keyMark) const
    {
        const std::string quoted = "\"" + path.field + "\"";
        report(sink, Severity::Warning, "schema.unknown-field",
               "unknown field " + quoted +
                   ": Istio 1.3 accepts the object and silently drops the field; current Istio's "
                   "CRD schema prunes it, and kubectl's strict field validation refuses the "
                   "object: strict decoding error: unknown field " +
                   quoted,
               keyMark, path);
    }

    // -- step 1 and 2: pruning and kube-openapi --

    void validateRoot(const SchemaNode &root, const Node &document, Sink &sink)
    {
        for (const MapEntry &entry : document.entries) {
            const FieldPath path = FieldPath{}.child(entry.key);
            if (entry.key == "apiVersion" || entry.key == "kind") {
                continue;
            }
            if (entry.key == "metadata") {
                checkMetadata(entry.value, path, sink);
                continue;
            }
            if (entry.key == "status") {
                continue; // the status subresource resets it on create
            }
            const SchemaNode *property = root.property(entry.key);
            if (!property) {
                if (!root.preserveUnknown) {
                    unknownField(sink, path, entry.keyMark);
                }
                continue;
            }
            if (!entry.value.isNullValue() || property->nullable) {
                validateValue(*property, entry.value, path, entry.keyMark, sink, true);
            }
        }
        checkRequired(root, document, FieldPath{}, document.mark, sink);
    }

    /// ObjectMeta as the API server checks a custom resource's: its own fields only, a name
    /// that is a DNS-1123 subdomain and a namespace that is a DNS-1123 label.
    void checkMetadata(const Node &metadata, const FieldPath &path, Sink &sink) const
    {
        for (const MapEntry &entry : metadata.entries) {
            bool known = false;
            for (const std::string_view field : ObjectMetaFields) {
                known = known || entry.key == field;
            }
            if (!known) {
                unknownField(sink, path.child(entry.key), entry.keyMark);
                continue;
            }
            const Node &value = entry.value;
            if (!value.isScalar() || value.isNullValue()) {
                continue;
            }
            const bool isName = entry.key == "name";
            if (!isName && entry.key != "namespace") {
                continue;
            }
            const FieldPath field = path.child(entry.key);
            for (const std::string &problem : isName ? dns1123SubdomainProblems(value.scalar)
                                                     : dns1123LabelProblems(value.scalar)) {
                error(sink, isName ? "schema.metadata-name" : "schema.metadata-namespace",
                      field.api + ": Invalid value: " + goQuote(value.scalar) + ": " + problem,
                      value.mark, field);
            }
        }
    }

    // Kubernetes' label: lower case only (Istio's own check also takes upper case).
    static bool isLowercaseDns1123Label(std::string_view text)
    {
        const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
        if (text.empty() || !alnum(text.front()) || !alnum(text.back())) {
            return false;
        }
        for (const char c : text) {
            if (!alnum(c) && c != '-') {
                return false;
            }
        }
        return true;
    }

    // apimachinery's IsDNS1123Label and IsDNS1123Subdomain, with their exact messages.
    static std::vector<std::string> dns1123LabelProblems(std::string_view text)
    {
        std::vector<std::string> problems;
        if (text.size() > 63) {
            problems.emplace_back("must be no more than 63 characters");
        }
        if (!isLowercaseDns1123Label(text)) {
            problems.emplace_back(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
                "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  "
                "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
        }
        return problems;
    }

    static std::vector<std::string> dns1123SubdomainProblems(std::string_view text)
    {
        std::vector<std::string> problems;
        if (text.size() > 253) {
            problems.emplace_back("must be no more than 253 characters");
        }
        bool valid = !text.empty();
        std::size_t start = 0;
        while (valid && start <= text.size()) {
            const std::size_t dot = std::min(text.find('.', start), text.size());
            valid = isLowercaseDns1123Label(text.substr(start, dot - start));
            start = dot + 1;
        }
        if (!valid) {
            problems.emplace_back(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                "characters, '-' or '.', and must start and end with an alphanumeric character "
                "(e.g. 'example.com', regex used for validation is "
                "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
        }
        return problems;
    }

    bool typeMatches(const SchemaNode &schema, JsonType actual) const
    {
        if (schema.intOrString) {
            return actual == JsonType::Integer || actual == JsonType::String;
        }
        switch (schema.type) {
        case SchemaType::Any:
            return true;
        case SchemaType::String:
            return actual == JsonType::String;
        case SchemaType::Integer:
            return actual == JsonType::Integer;
        case SchemaType::Number:
            return actual == JsonType::Integer || actual == JsonType::Number;
        case SchemaType::Boolean:
            return actual == JsonType::Boolean;
        case SchemaType::Object:
            return actual == JsonType::Object;
        case SchemaType::Array:
            return actual == JsonType::Array;
        }
        return true;
    }

    /// kube-openapi's SchemaValidator on one value: type, combinators, string, format, number,
    /// array, enum, object. `prune` is false inside oneOf/anyOf/allOf/not branches, which only
    /// constrain and never declare fields.
    void validateValue(const SchemaNode &schema, const Node &value, const FieldPath &path,
                       Mark anchor, Sink &sink, bool prune)
    {
        const JsonType actual = jsonType(value);
        const Mark at = where(value, anchor);
        if (actual == JsonType::Null) {
            if (!schema.nullable && (schema.type != SchemaType::Any || schema.intOrString)) {
                typeError(schema, "null", path, at, sink);
            }
            return;
        }
        if (!typeMatches(schema, actual)) {
            typeError(schema, jsonTypeName(actual), path, at, sink);
            checkEnum(schema, value, path, at, sink);
            return;
        }
        checkCombinators(schema, value, path, anchor, sink);
        if (actual == JsonType::String) {
            checkString(schema, value, path, at, sink);
        }
        if (actual == JsonType::Integer || actual == JsonType::Number) {
            checkNumber(schema, value, actual == JsonType::Integer, path, at, sink);
        }
        if (actual == JsonType::Array) {
            checkArray(schema, value, path, at, sink, prune);
        }
        checkEnum(schema, value, path, at, sink);
        if (actual == JsonType::Object) {
            checkObject(schema, value, path, anchor, sink, prune);
        }
    }

    void typeError(const SchemaNode &schema, const std::string &actual, const FieldPath &path,
                   Mark at, Sink &sink) const
    {
        const std::string expected =
            schema.intOrString ? "integer,string" : schemaTypeName(schema.type);
        const std::string quoted = goQuote(actual);
        error(sink, "schema.type",
              path.api + ": Invalid value: " + quoted + ": " + path.api +
                  " in body must be of type " + expected + ": " + quoted,
              at, path, true);
    }

    void checkString(const SchemaNode &schema, const Node &value, const FieldPath &path, Mark at,
                     Sink &sink) const
    {
        const auto length = static_cast<std::int64_t>(codePoints(value.scalar));
        if (schema.maxLength && length > *schema.maxLength) {
            error(sink, "schema.max-length",
                  path.api + ": Too long: may not be more than " +
                      std::to_string(*schema.maxLength) + " bytes",
                  at, path, true);
        } else if (schema.minLength && length < *schema.minLength) {
            error(sink, "schema.min-length",
                  path.api + ": Invalid value: " + goQuote(value.scalar) + ": " + path.api +
                      " in body should be at least " + std::to_string(*schema.minLength) +
                      " chars long",
                  at, path);
        }
        if (schema.format == "byte" && !isBase64(value.scalar)) {
            const std::string quoted = goQuote(value.scalar);
            error(sink, "schema.format",
                  path.api + ": Invalid value: " + quoted + ": " + path.api +
                      " in body must be of type byte: " + quoted,
                  at, path, true);
        }
    }

    static bool isBase64(std::string_view text)
    {
        // Go's base64.StdEncoding (padded) is what strfmt's "byte" accepts.
        if (text.size() % 4 != 0) {
            return false;
        }
        std::size_t padding = 0;
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                  (c >= '0' && c <= '9') || c == '+' || c == '/';
            if (c == '=') {
                ++padding;
                if (i + 2 < text.size()) {
                    return false;
                }
            } else if (!alphabet || padding > 0) {
                return false;
            }
        }
        return padding <= 2;
    }

    void checkNumber(const SchemaNode &schema, const Node &value, bool integer,
                     const FieldPath &path, Mark at, Sink &sink) const
    {
        const double number = value.asDouble().value_or(0);
        const std::string shown = integer ? goInteger(value) : goFloat(number);
        const auto bound = [&](const char *code, const char *relation, double limit) {
            error(sink, code,
                  path.api + ": Invalid value: " + shown + ": " + path.api + " in body should be " +
                      relation + " " + goNumberBound(limit, integer),
                  at, path);
        };
        if (schema.minimum) {
            if (schema.exclusiveMinimum ? number <= *schema.minimum : number < *schema.minimum) {
                bound("schema.minimum",
                      schema.exclusiveMinimum ? "greater than" : "greater than or equal to",
                      *schema.minimum);
            }
        }
        if (schema.maximum) {
            if (schema.exclusiveMaximum ? number >= *schema.maximum : number > *schema.maximum) {
                bound("schema.maximum",
                      schema.exclusiveMaximum ? "less than" : "less than or equal to",
                      *schema.maximum);
            }
        }
    }

    void checkArray(const SchemaNode &schema, const Node &value, const FieldPath &path, Mark at,
                    Sink &sink, bool prune)
    {
        if (schema.items) {
            for (std::size_t i = 0; i < value.items.size(); ++i) {
                const Node &item = value.items[i];
                validateValue(*schema.items, item, path.index(i), item.mark, sink, prune);
            }
        }
        const auto size = static_cast<std::int64_t>(value.items.size());
        if (schema.minItems && size < *schema.minItems) {
            error(sink, "schema.min-items",
                  path.api + ": Invalid value: " + std::to_string(size) + ": " + path.api +
                      " in body should have at least " + std::to_string(*schema.minItems) +
                      " items",
                  at, path);
        }
        if (schema.maxItems && size > *schema.maxItems) {
            error(sink, "schema.max-items",
                  path.api + ": Too many: " + std::to_string(size) + ": must have at most " +
                      std::to_string(*schema.maxItems) + " items",
                  at, path, true);
        }
        if (prune) {
            checkListType(schema, value, path, at);
        }
    }

    /// x-kubernetes-list-type: the API server's listtype step, reported after the schema step.
    void checkListType(const SchemaNode &schema, const Node &value, const FieldPath &path, Mark)
    {
        if (schema.listType != "map" && schema.listType != "set") {
            return;
        }
        std::vector<std::string> keys;
        for (const Node &item : value.items) {
            if (schema.listType == "set") {
                keys.push_back(toJson(item));
                continue;
            }
            std::string key;
            for (const std::string &field : schema.listMapKeys) {
                const Node *part = item.find(field);
                if (part && !part->isNullValue()) {
                    key += (key.empty() ? "" : ", ") + goQuote(field) + ":" + goValue(*part);
                }
            }
            keys.push_back("map[string]interface {}{" + key + "}");
        }
        // The second appearance of a key is reported, once (a hash, so huge lists stay linear).
        std::unordered_map<std::string, int> seen;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (++seen[keys[i]] != 2) {
                continue;
            }
            const Node &item = value.items[i];
            const std::string shown = schema.listType == "set" ? goValue(item) : keys[i];
            Sink list;
            error(list, "schema.duplicate", path.index(i).field + ": Duplicate value: " + shown,
                  item.mark, path.index(i));
            m_listErrors.insert(m_listErrors.end(), list.diagnostics.begin(),
                                list.diagnostics.end());
        }
    }

    void checkEnum(const SchemaNode &schema, const Node &value, const FieldPath &path, Mark at,
                   Sink &sink) const
    {
        if (schema.enumValues.empty()) {
            return;
        }
        if (jsonType(value) == JsonType::String) {
            for (const std::string &allowed : schema.enumValues) {
                if (allowed == value.scalar) {
                    return;
                }
            }
        }
        std::string supported;
        for (const std::string &allowed : schema.enumValues) {
            supported += (supported.empty() ? "" : ", ") + goQuote(allowed);
        }
        error(sink, "schema.enum",
              path.api + ": Unsupported value: " + goValue(value) +
                  ": supported values: " + supported,
              at, path, true);
    }

    void checkObject(const SchemaNode &schema, const Node &value, const FieldPath &path,
                     Mark anchor, Sink &sink, bool prune)
    {
        const auto count = static_cast<std::int64_t>(value.entries.size());
        if (schema.minProperties && count < *schema.minProperties) {
            error(sink, "schema.min-properties",
                  path.api + ": Invalid value: " + std::to_string(count) + ": " + path.api +
                      " in body should have at least " + std::to_string(*schema.minProperties) +
                      " properties",
                  anchor, path);
            return;
        }
        if (schema.maxProperties && count > *schema.maxProperties) {
            error(sink, "schema.max-properties",
                  path.api + ": Too many: " + std::to_string(count) + ": must have at most " +
                      std::to_string(*schema.maxProperties) + " items",
                  anchor, path, true);
            return;
        }
        for (const MapEntry &entry : value.entries) {
            if (const SchemaNode *property = schema.property(entry.key)) {
                if (!entry.value.isNullValue() || property->nullable) {
                    validateValue(*property, entry.value, path.child(entry.key), entry.keyMark,
                                  sink, prune);
                }
            } else if (schema.additionalProperties) {
                validateValue(*schema.additionalProperties, entry.value, path.key(entry.key),
                              entry.keyMark, sink, prune);
            } else if (prune && !schema.preserveUnknown) {
                unknownField(sink, path.child(entry.key), entry.keyMark);
            }
        }
        checkRequired(schema, value, path, anchor, sink);
    }

    void checkRequired(const SchemaNode &schema, const Node &value, const FieldPath &path,
                       Mark anchor, Sink &sink) const
    {
        for (const std::string &name : schema.required) {
            const Node *present = value.find(name);
            const SchemaNode *property = schema.property(name);
            const bool pruned =
                present && present->isNullValue() && !(property && property->nullable);
            if (!present || pruned) {
                const FieldPath missing = path.child(name);
                error(sink, "schema.required", missing.api + ": Required value", anchor, missing,
                      true);
            }
        }
    }

    void checkCombinators(const SchemaNode &schema, const Node &value, const FieldPath &path,
                          Mark anchor, Sink &sink)
    {
        const Mark at = where(value, anchor);
        const auto composite = [&](const char *code, const std::string &detail) {
            error(sink, code, "<nil>: Invalid value: \"\": " + goQuote(path.api) + " " + detail, at,
                  path);
        };
        const auto evaluate = [&](const SchemaNode &branch) {
            Sink result;
            validateValue(branch, value, path, anchor, result, false);
            return result;
        };
        if (!schema.anyOf.empty()) {
            std::optional<Sink> firstFailure;
            bool any = false;
            for (const SchemaNode &branch : schema.anyOf) {
                Sink result = evaluate(branch);
                if (result.valid()) {
                    any = true;
                    break;
                }
                if (!firstFailure) {
                    firstFailure = std::move(result);
                }
            }
            if (!any) {
                composite("schema.any-of", "must validate at least one schema (anyOf)");
                sink.merge(*firstFailure);
            }
        }
        if (!schema.oneOf.empty()) {
            std::optional<Sink> firstFailure;
            int matched = 0;
            for (const SchemaNode &branch : schema.oneOf) {
                Sink result = evaluate(branch);
                if (result.valid()) {
                    ++matched;
                } else if (!firstFailure) {
                    firstFailure = std::move(result);
                }
            }
            if (matched != 1) {
                composite("schema.one-of", "must validate one and only one schema (oneOf). " +
                                               (matched == 0 ? std::string("Found none valid")
                                                             : "Found " + std::to_string(matched) +
                                                                   " valid alternatives"));
                if (matched == 0 && firstFailure) {
                    sink.merge(*firstFailure);
                }
            }
        }
        if (!schema.allOf.empty()) {
            std::size_t passed = 0;
            for (const SchemaNode &branch : schema.allOf) {
                Sink result = evaluate(branch);
                passed += result.valid() ? 1U : 0U;
                sink.merge(result);
            }
            if (passed != schema.allOf.size()) {
                composite("schema.all-of", std::string("must validate all the schemas (allOf)") +
                                               (passed == 0 ? ". None validated" : ""));
            }
        }
        if (schema.notSchema && evaluate(*schema.notSchema).valid()) {
            composite("schema.not", "must not validate the schema (not)");
        }
    }

    // -- step 3: CEL --

    void runCel(const SchemaNode &schema, const Node &value, const FieldPath &path, Mark anchor,
                Diagnostics &out) const
    {
        if (value.isNullValue()) {
            return; // CEL never sees nulls
        }
        evaluateRules(schema, value, path, anchor, out);
        for (const SchemaNode &branch : schema.allOf) {
            evaluateRules(branch, value, path, anchor, out);
        }
        if (value.isSequence() && schema.items) {
            for (std::size_t i = 0; i < value.items.size(); ++i) {
                runCel(*schema.items, value.items[i], path.index(i), value.items[i].mark, out);
            }
        } else if (value.isMap()) {
            for (const MapEntry &entry : value.entries) {
                if (const SchemaNode *property = schema.property(entry.key)) {
                    runCel(*property, entry.value, path.child(entry.key), entry.keyMark, out);
                } else if (schema.additionalProperties) {
                    runCel(*schema.additionalProperties, entry.value, path.key(entry.key),
                           entry.keyMark, out);
                }
            }
        }
    }

    void evaluateRules(const SchemaNode &schema, const Node &value, const FieldPath &path,
                       Mark anchor, Diagnostics &out) const
    {
        const std::string type = schemaTypeName(schema.type);
        for (const CelRule &rule : schema.celRules) {
            if (!rule.impl) {
                continue; // the schema tests make sure this never ships
            }
            const CelOutcome outcome = rule.impl->evaluate(value);
            if (outcome.verdict == CelOutcome::Pass) {
                continue;
            }
            const std::string message =
                rule.message.empty() ? "failed rule: " + rule.rule : rule.message;
            std::string detail = outcome.verdict == CelOutcome::Error
                                     ? outcome.error + " evaluating rule: " +
                                           (rule.message.empty() ? rule.rule : rule.message)
                                     : message;
            Sink sink;
            error(sink, rule.impl->code,
                  path.field + ": Invalid value: " + goQuote(type) + ": " + detail,
                  where(value, anchor), path);
            out.insert(out.end(), sink.diagnostics.begin(), sink.diagnostics.end());
        }
    }

    const Resource &m_resource;
    Diagnostics m_listErrors;
};

} // namespace

Diagnostics validateAgainstSchema(const Resource &resource, const CrdSchemaSet &schemas)
{
    if (!resource.info().istio) {
        return {};
    }
    const SchemaNode *root = schemas.find(resource.kind, resource.version);
    if (!root || !resource.document.isMap()) {
        return {};
    }
    return SchemaValidator(resource).run(*root);
}

Diagnostics validateAgainstSchema(const Resource &resource)
{
    if (!resource.info().istio) {
        return {};
    }
    const auto schemas = crdSchemas();
    if (!schemas) {
        const auto problem = crdSchemaLoadError();
        return {Diagnostic{Severity::Warning,
                           "schema.unavailable",
                           "the CRD schema checks were skipped: " +
                               (problem ? problem->message : std::string("no schema")),
                           resource.location(),
                           {}}};
    }
    return validateAgainstSchema(resource, *schemas);
}

} // namespace meshcraft::core::config
