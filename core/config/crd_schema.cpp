// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/crd_schema.h"

#include "core/common/data_paths.h"
#include "core/common/text.h"
#include "core/config/schema_cel.h"
#include "core/config/yaml_loader.h"

#include <algorithm>
#include <atomic>
#include <mutex>

namespace meshcraft::core::config {

using common::Error;

const SchemaNode *SchemaNode::property(std::string_view name) const
{
    const auto it = std::lower_bound(
        properties.begin(), properties.end(), name,
        [](const SchemaProperty &property, std::string_view key) { return property.name < key; });
    return it != properties.end() && it->name == name ? &it->schema : nullptr;
}

/// Turns the YAML of one openAPIV3Schema into SchemaNodes, noting what it cannot check.
class CrdSchemaBuilder
{
public:
    explicit CrdSchemaBuilder(CrdSchemaSet &set) : m_set(set) {}

    SchemaNode build(const Node &yaml, const std::string &path)
    {
        SchemaNode node;
        if (!yaml.isMap()) {
            note("<not a map>", path);
            return node;
        }
        for (const MapEntry &entry : yaml.entries) {
            read(node, entry, path);
        }
        std::sort(node.properties.begin(), node.properties.end(),
                  [](const SchemaProperty &a, const SchemaProperty &b) { return a.name < b.name; });
        return node;
    }

    void collectRules(const SchemaNode &node, const std::string &kind, const std::string &version,
                      const std::string &path)
    {
        for (const CelRule &rule : node.celRules) {
            m_set.m_celRules.push_back(CelRuleSite{kind, version, path, &rule});
        }
        for (const SchemaProperty &property : node.properties) {
            collectRules(property.schema, kind, version, path + "." + property.name);
        }
        if (node.items) {
            collectRules(*node.items, kind, version, path + "[]");
        }
        if (node.additionalProperties) {
            collectRules(*node.additionalProperties, kind, version, path + "{}");
        }
        const auto branches = [&](const std::vector<SchemaNode> &list, const char *name) {
            for (std::size_t i = 0; i < list.size(); ++i) {
                collectRules(list[i], kind, version, path + "<" + name + std::to_string(i) + ">");
            }
        };
        branches(node.oneOf, "oneOf");
        branches(node.anyOf, "anyOf");
        branches(node.allOf, "allOf");
        if (node.notSchema) {
            collectRules(*node.notSchema, kind, version, path + "<not>");
        }
    }

private:
    void note(const std::string &keyword, const std::string &path)
    {
        m_set.m_unsupported.try_emplace(keyword, path.empty() ? "." : path);
    }

    static std::optional<std::int64_t> count(const Node &value) { return value.asInt(); }

    static std::vector<std::string> strings(const Node &value)
    {
        std::vector<std::string> out;
        for (const Node &item : value.items) {
            out.push_back(item.scalar);
        }
        return out;
    }

    std::vector<SchemaNode> list(const Node &value, const std::string &path)
    {
        std::vector<SchemaNode> out;
        for (const Node &item : value.items) {
            out.push_back(build(item, path));
        }
        return out;
    }

    std::unique_ptr<SchemaNode> sub(const Node &value, const std::string &path)
    {
        return std::make_unique<SchemaNode>(build(value, path));
    }

    static SchemaType typeOf(std::string_view name)
    {
        if (name == "string") {
            return SchemaType::String;
        }
        if (name == "integer") {
            return SchemaType::Integer;
        }
        if (name == "number") {
            return SchemaType::Number;
        }
        if (name == "boolean") {
            return SchemaType::Boolean;
        }
        if (name == "object") {
            return SchemaType::Object;
        }
        if (name == "array") {
            return SchemaType::Array;
        }
        return SchemaType::Any;
    }

    void read(SchemaNode &node, const MapEntry &entry, const std::string &path)
    {
        const std::string &key = entry.key;
        const Node &value = entry.value;
        if (key == "description" || key == "title" || key == "example" ||
            key == "x-kubernetes-map-type") {
            return; // documentation, or merge strategy only
        }
        if (key == "type") {
            node.type = typeOf(value.scalar);
            if (node.type == SchemaType::Any) {
                note("type: " + value.scalar, path);
            }
        } else if (key == "format") {
            node.format = value.scalar;
        } else if (key == "enum") {
            node.enumValues = strings(value);
        } else if (key == "minimum") {
            node.minimum = value.asDouble();
        } else if (key == "maximum") {
            node.maximum = value.asDouble();
        } else if (key == "exclusiveMinimum") {
            node.exclusiveMinimum = value.asBool().value_or(false);
        } else if (key == "exclusiveMaximum") {
            node.exclusiveMaximum = value.asBool().value_or(false);
        } else if (key == "minLength") {
            node.minLength = count(value);
        } else if (key == "maxLength") {
            node.maxLength = count(value);
        } else if (key == "minItems") {
            node.minItems = count(value);
        } else if (key == "maxItems") {
            node.maxItems = count(value);
        } else if (key == "minProperties") {
            node.minProperties = count(value);
        } else if (key == "maxProperties") {
            node.maxProperties = count(value);
        } else if (key == "required") {
            node.required = strings(value);
        } else if (key == "nullable") {
            node.nullable = value.asBool().value_or(false);
        } else if (key == "x-kubernetes-int-or-string") {
            node.intOrString = value.asBool().value_or(false);
        } else if (key == "x-kubernetes-preserve-unknown-fields") {
            node.preserveUnknown = value.asBool().value_or(false);
        } else if (key == "x-kubernetes-list-type") {
            node.listType = value.scalar;
        } else if (key == "x-kubernetes-list-map-keys") {
            node.listMapKeys = strings(value);
        } else if (key == "properties") {
            for (const MapEntry &property : value.entries) {
                node.properties.push_back(
                    SchemaProperty{property.key, build(property.value, path + "." + property.key)});
            }
        } else if (key == "items") {
            node.items = sub(value, path + "[]");
        } else if (key == "additionalProperties") {
            if (value.isMap()) {
                node.additionalProperties = sub(value, path + "{}");
            } else if (!value.asBool().value_or(true)) {
                note("additionalProperties: false", path);
            }
        } else if (key == "oneOf") {
            node.oneOf = list(value, path);
        } else if (key == "anyOf") {
            node.anyOf = list(value, path);
        } else if (key == "allOf") {
            node.allOf = list(value, path);
        } else if (key == "not") {
            node.notSchema = sub(value, path);
        } else if (key == "x-kubernetes-validations") {
            for (const Node &item : value.items) {
                const Node *rule = item.find("rule");
                const Node *message = item.find("message");
                CelRule cel;
                cel.rule = rule ? rule->scalar : std::string();
                cel.message = message ? message->scalar : std::string();
                cel.impl = findCelRule(cel.rule);
                for (const MapEntry &field : item.entries) {
                    if (field.key != "rule" && field.key != "message") {
                        note("x-kubernetes-validations." + field.key, path);
                    }
                }
                node.celRules.push_back(std::move(cel));
            }
        } else {
            // pattern, multipleOf, default, uniqueItems, embedded resources ... The five kinds
            // use none of them today; the schema tests fail if that changes.
            note(key, path);
        }
    }

    CrdSchemaSet &m_set;
};

common::Result<std::shared_ptr<const CrdSchemaSet>> CrdSchemaSet::fromText(std::string_view text,
                                                                           const std::string &name)
{
    YamlLimits limits;
    limits.maxNodes = 20'000'000;
    const YamlLoadResult loaded = loadYaml(text, name, limits);
    if (common::hasErrors(loaded.diagnostics)) {
        return common::fail("schema.unreadable", "cannot parse the CRD schemas: " +
                                                     loaded.diagnostics.front().toString());
    }
    auto set = std::make_shared<CrdSchemaSet>();
    set->m_source = name;
    CrdSchemaBuilder builder(*set);
    for (const YamlDocument &document : loaded.documents) {
        const Node &root = document.root;
        const Node *kind = root.find("kind");
        const Node *spec = root.find("spec");
        if (!kind || kind->scalar != "CustomResourceDefinition" || !spec) {
            continue;
        }
        const Node *group = spec->find("group");
        const Node *names = spec->find("names");
        const Node *kindName = names ? names->find("kind") : nullptr;
        if (!group || !kindName) {
            continue;
        }
        const KindInfo *info = nullptr;
        for (const KindInfo &candidate : knownKinds()) {
            if (candidate.istio && candidate.name == kindName->scalar &&
                candidate.group == group->scalar) {
                info = &candidate;
            }
        }
        const Node *versions = spec->find("versions");
        if (!info || !versions) {
            continue;
        }
        for (const Node &version : versions->items) {
            const Node *versionName = version.find("name");
            const Node *schema = version.find("schema");
            const Node *openApi = schema ? schema->find("openAPIV3Schema") : nullptr;
            if (!versionName || !openApi) {
                continue;
            }
            auto tree = std::make_unique<SchemaNode>(builder.build(*openApi, ""));
            builder.collectRules(*tree, std::string(info->name), versionName->scalar, "");
            set->m_schemas[Key{info->kind, versionName->scalar}] = std::move(tree);
        }
    }
    if (set->m_schemas.empty()) {
        return common::fail("schema.unreadable",
                            name + ": no CustomResourceDefinition for Istio's networking kinds");
    }
    return std::shared_ptr<const CrdSchemaSet>(std::move(set));
}

common::Result<std::shared_ptr<const CrdSchemaSet>>
CrdSchemaSet::fromFile(const std::filesystem::path &path)
{
    const auto text = common::readFile(path.string());
    if (!text) {
        return common::fail("schema.unreadable", "cannot read " + path.string());
    }
    return fromText(*text, path.string());
}

const SchemaNode *CrdSchemaSet::find(Kind kind, std::string_view version) const
{
    const auto it = m_schemas.find(Key{kind, std::string(version)});
    return it == m_schemas.end() ? nullptr : it->second.get();
}

namespace {

struct Shipped
{
    std::once_flag once;
    std::shared_ptr<const CrdSchemaSet> set;
    std::optional<Error> error;
};

std::atomic<std::size_t> g_shippedParses{0};

Shipped &shipped()
{
    static Shipped instance;
    std::call_once(instance.once, [] {
        g_shippedParses.fetch_add(1);
        auto loaded = CrdSchemaSet::fromFile(common::dataPath("schemas/istio-crd-all.gen.yaml"));
        if (loaded) {
            instance.set = std::move(*loaded);
        } else {
            instance.error = loaded.error();
        }
    });
    return instance;
}

} // namespace

std::shared_ptr<const CrdSchemaSet> crdSchemas()
{
    return shipped().set;
}

std::optional<Error> preloadCrdSchemas()
{
    return shipped().error;
}

std::optional<Error> crdSchemaLoadError()
{
    return shipped().error;
}

std::size_t crdSchemaParseCountForTest()
{
    return g_shippedParses.load();
}

} // namespace meshcraft::core::config
