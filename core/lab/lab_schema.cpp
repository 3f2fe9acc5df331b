// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/lab/lab_schema.h"

#include "core/common/data_paths.h"
#include "core/common/text.h"
#include "core/config/yaml_loader.h"

#include <algorithm>

namespace meshcraft::core::lab {

namespace {

using config::Mark;
using config::Node;

// The path of a field as authors read it: "steps[3].checks[0].observed".
std::string childPath(const std::string &parent, const std::string &key)
{
    return parent.empty() ? key : parent + "." + key;
}

std::string itemPath(const std::string &parent, std::size_t index)
{
    return parent + "[" + std::to_string(index) + "]";
}

class Checker
{
public:
    Checker(const Node &root, const std::string &file) : m_root(root), m_file(file) {}

    void check(const Node &schema, const Node &node, const std::string &path, Mark at,
               common::Diagnostics &out) const
    {
        const Node &resolved = resolve(schema);
        if (const Node *type = resolved.find("type"); type && !typeMatches(*type, node)) {
            report(out, "lab.schema-type", at, path,
                   "expected " + typeText(*type) + ", got " + node.typeName());
            return; // the other keywords would only repeat the problem
        }
        if (const Node *values = resolved.find("enum"); values && values->isSequence()) {
            const std::string value = config::toJson(node);
            const bool found =
                std::any_of(values->items.begin(), values->items.end(),
                            [&](const Node &v) { return config::toJson(v) == value; });
            if (!found) {
                std::vector<std::string> choices;
                for (const Node &v : values->items) {
                    choices.push_back(v.isScalar() ? v.scalar : config::toJson(v));
                }
                report(out, "lab.schema-enum", at, path,
                       "must be one of " + common::join(choices, ", ") + "; got " + value);
            }
        }
        if (const Node *minimum = resolved.find("minimum")) {
            const auto limit = minimum->asDouble();
            const auto value = node.asDouble();
            if (limit && value && *value < *limit) {
                report(out, "lab.schema-minimum", at, path,
                       "must be at least " + minimum->scalar + "; got " + node.scalar);
            }
        }
        if (node.isMap()) {
            checkObject(resolved, node, path, at, out);
        }
        if (node.isSequence()) {
            checkArray(resolved, node, path, at, out);
        }
        if (const Node *alternatives = resolved.find("oneOf");
            alternatives && alternatives->isSequence()) {
            int matches = 0;
            for (const Node &alternative : alternatives->items) {
                common::Diagnostics scratch;
                check(alternative, node, path, at, scratch);
                matches += scratch.empty() ? 1 : 0;
            }
            if (matches != 1) {
                const Node *message = resolved.find("x-oneOfMessage");
                report(out, "lab.schema-one-of", at, path,
                       message ? message->scalar
                               : std::string("must match exactly one alternative (oneOf), ") +
                                     "matches " + std::to_string(matches));
            }
        }
    }

private:
    const Node &resolve(const Node &schema) const
    {
        const Node *current = &schema;
        // A $ref chain is short; the bound keeps a cyclic schema from looping.
        for (int depth = 0; depth < 16; ++depth) {
            const Node *ref = current->find("$ref");
            if (!ref || !common::startsWith(ref->scalar, "#/")) {
                break;
            }
            const Node *target = &m_root;
            for (const std::string &part : common::split(ref->scalar.substr(2), '/')) {
                target = target ? target->find(part) : nullptr;
            }
            if (!target) {
                break;
            }
            current = target;
        }
        return *current;
    }

    static bool oneTypeMatches(const std::string &type, const Node &node)
    {
        const std::string actual = node.typeName();
        if (type == "number") {
            return actual == "number" || actual == "integer";
        }
        return actual == type;
    }

    static bool typeMatches(const Node &type, const Node &node)
    {
        if (type.isSequence()) {
            return std::any_of(type.items.begin(), type.items.end(),
                               [&](const Node &t) { return oneTypeMatches(t.scalar, node); });
        }
        return oneTypeMatches(type.scalar, node);
    }

    static std::string typeText(const Node &type)
    {
        if (!type.isSequence()) {
            return type.scalar;
        }
        std::vector<std::string> names;
        for (const Node &t : type.items) {
            names.push_back(t.scalar);
        }
        return common::join(names, " or ");
    }

    void checkObject(const Node &schema, const Node &node, const std::string &path, Mark at,
                     common::Diagnostics &out) const
    {
        if (const Node *required = schema.find("required"); required && required->isSequence()) {
            for (const Node &key : required->items) {
                if (!node.find(key.scalar)) {
                    report(out, "lab.schema-required", at, path,
                           "missing required field \"" + key.scalar + "\"");
                }
            }
        }
        const Node *properties = schema.find("properties");
        const Node *additional = schema.find("additionalProperties");
        for (const config::MapEntry &entry : node.entries) {
            const std::string fieldPath = childPath(path, entry.key);
            const Mark valueMark = entry.value.mark.line > 0 ? entry.value.mark : entry.keyMark;
            if (const Node *property = properties ? properties->find(entry.key) : nullptr) {
                check(*property, entry.value, fieldPath, valueMark, out);
            } else if (additional && additional->isScalar() && additional->asBool() == false) {
                report(out, "lab.schema-unknown-field", entry.keyMark, "",
                       "unknown field \"" + fieldPath + "\"");
            } else if (additional && additional->isMap()) {
                check(*additional, entry.value, fieldPath, valueMark, out);
            }
        }
    }

    void checkArray(const Node &schema, const Node &node, const std::string &path, Mark at,
                    common::Diagnostics &out) const
    {
        if (const Node *minItems = schema.find("minItems")) {
            if (const auto least = minItems->asInt();
                least && static_cast<std::int64_t>(node.items.size()) < *least) {
                report(out, "lab.schema-min-items", at, path,
                       "needs at least " + std::to_string(*least) + " item" +
                           (*least == 1 ? "" : "s"));
            }
        }
        if (const Node *items = schema.find("items")) {
            for (std::size_t i = 0; i < node.items.size(); ++i) {
                const Node &item = node.items[i];
                check(*items, item, itemPath(path, i), item.mark.line > 0 ? item.mark : at, out);
            }
        }
    }

    void report(common::Diagnostics &out, const char *code, Mark at, const std::string &path,
                const std::string &message) const
    {
        common::Diagnostic diagnostic;
        diagnostic.severity = common::Severity::Error;
        diagnostic.code = code;
        diagnostic.message = path.empty() ? message : path + ": " + message;
        diagnostic.location = {m_file, at.line, at.column};
        diagnostic.path = path;
        out.push_back(std::move(diagnostic));
    }

    const Node &m_root;
    const std::string &m_file;
};

} // namespace

tl::expected<JsonSchema, common::Diagnostics> JsonSchema::parse(std::string_view text,
                                                                const std::string &name)
{
    config::YamlLoadResult loaded = config::loadYaml(text, name);
    if (common::hasErrors(loaded.diagnostics)) {
        return tl::unexpected(loaded.diagnostics);
    }
    if (loaded.documents.size() != 1 || !loaded.documents[0].root.isMap()) {
        common::Diagnostic diagnostic{common::Severity::Error,
                                      "lab.schema-unusable",
                                      "the schema is not one JSON object",
                                      {name, 1, 1},
                                      {}};
        return tl::unexpected(common::Diagnostics{diagnostic});
    }
    return JsonSchema(std::move(loaded.documents[0].root));
}

tl::expected<JsonSchema, common::Diagnostics> JsonSchema::load(const std::filesystem::path &path)
{
    const auto text = common::readFile(path.string());
    if (!text) {
        common::Diagnostic diagnostic{common::Severity::Error,
                                      "lab.schema-missing",
                                      "cannot read the lab schema",
                                      {path.string(), 0, 0},
                                      {}};
        return tl::unexpected(common::Diagnostics{diagnostic});
    }
    return parse(*text, path.string());
}

common::Diagnostics JsonSchema::validate(const config::Node &document,
                                         const std::string &file) const
{
    common::Diagnostics out;
    const Checker checker(m_root, file);
    checker.check(m_root, document, "", document.mark.line > 0 ? document.mark : Mark{1, 1}, out);
    std::stable_sort(out.begin(), out.end(), [](const auto &a, const auto &b) {
        return std::pair(a.location.line, a.location.column) <
               std::pair(b.location.line, b.location.column);
    });
    return out;
}

const tl::expected<JsonSchema, common::Diagnostics> &labSchema()
{
    // A function-local static: loaded on first use, thread-safe, no global constructor.
    static const tl::expected<JsonSchema, common::Diagnostics> schema =
        JsonSchema::load(common::dataPath("schemas/lab.schema.json"));
    return schema;
}

} // namespace meshcraft::core::lab
