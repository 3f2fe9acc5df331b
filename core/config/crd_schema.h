// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/common/result.h"
#include "core/config/resource.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::config {

struct CelRuleImpl; // schema_cel.h

/// One `x-kubernetes-validations` entry. `impl` is our hand-written C++ for the rule text, or
/// nullptr when the rule is not implemented (the schema tests refuse that).
struct CelRule
{
    std::string rule;
    std::string message;
    const CelRuleImpl *impl = nullptr;
};

enum class SchemaType : std::uint8_t { Any, String, Integer, Number, Boolean, Object, Array };

struct SchemaProperty;

/// One node of an openAPIV3Schema, reduced to what the API server validates with. Descriptions
/// and printer columns are dropped; what is left is a few hundred bytes per field.
struct SchemaNode
{
    SchemaType type = SchemaType::Any;
    bool intOrString = false;     ///< x-kubernetes-int-or-string
    bool preserveUnknown = false; ///< x-kubernetes-preserve-unknown-fields
    bool nullable = false;
    std::string format;
    std::vector<std::string> enumValues; ///< the five kinds only use string enums
    std::optional<double> minimum;
    std::optional<double> maximum;
    bool exclusiveMinimum = false;
    bool exclusiveMaximum = false;
    std::optional<std::int64_t> minLength;
    std::optional<std::int64_t> maxLength;
    std::optional<std::int64_t> minItems;
    std::optional<std::int64_t> maxItems;
    std::optional<std::int64_t> minProperties;
    std::optional<std::int64_t> maxProperties;
    std::vector<std::string> required;
    std::vector<SchemaProperty> properties; ///< sorted by name
    std::unique_ptr<SchemaNode> items;
    std::unique_ptr<SchemaNode> additionalProperties; ///< a map's value schema
    std::vector<SchemaNode> oneOf;
    std::vector<SchemaNode> anyOf;
    std::vector<SchemaNode> allOf;
    std::unique_ptr<SchemaNode> notSchema;
    std::string listType;                 ///< x-kubernetes-list-type: "map", "set", "atomic"
    std::vector<std::string> listMapKeys; ///< x-kubernetes-list-map-keys
    std::vector<CelRule> celRules;

    const SchemaNode *property(std::string_view name) const;
};

struct SchemaProperty
{
    std::string name;
    SchemaNode schema;
};

/// Where a CEL rule sits, for the coverage test and for error reports about the schema itself.
struct CelRuleSite
{
    std::string kind;    ///< "ServiceEntry"
    std::string version; ///< "v1"
    std::string path;    ///< ".spec.ports[].number" (schema path: [] for items, {} for map values)
    const CelRule *rule = nullptr;
};

/// Istio's CRD schemas for the five networking kinds, one tree per (kind, version).
class CrdSchemaSet
{
public:
    /// Parses a CRD bundle (multi-document YAML of CustomResourceDefinitions). Documents for
    /// other kinds are skipped. Fails when none of the five kinds is found or the YAML is bad.
    static common::Result<std::shared_ptr<const CrdSchemaSet>> fromText(std::string_view text,
                                                                        const std::string &name);
    static common::Result<std::shared_ptr<const CrdSchemaSet>>
    fromFile(const std::filesystem::path &path);

    /// The openAPIV3Schema root for a kind and served version; nullptr when not present.
    const SchemaNode *find(Kind kind, std::string_view version) const;
    /// Every x-kubernetes-validations rule of the five kinds, in schema order.
    const std::vector<CelRuleSite> &celRules() const { return m_celRules; }
    /// Schema keywords we met but do not validate (e.g. "pattern"), with a sample path each.
    const std::map<std::string, std::string> &unsupportedKeywords() const { return m_unsupported; }
    const std::string &sourceName() const { return m_source; }

private:
    struct Key
    {
        Kind kind;
        std::string version;
        bool operator<(const Key &other) const
        {
            return kind != other.kind ? kind < other.kind : version < other.version;
        }
    };
    std::map<Key, std::unique_ptr<SchemaNode>> m_schemas;
    std::vector<CelRuleSite> m_celRules;
    std::map<std::string, std::string> m_unsupported;
    std::string m_source;

    friend class CrdSchemaBuilder;
};

/// The schemas Meshcraft ships (data/schemas/istio-crd-all.gen.yaml, Istio 1.30.3), parsed once
/// per process on first use; later calls and other threads share the result. A load failure
/// is remembered too (it is not retried) and reported by crdSchemaLoadError().
std::shared_ptr<const CrdSchemaSet> crdSchemas();
/// Parses the shipped schemas now, so the UI can do it on a worker thread at start-up (the file
/// is 871 KB; parsing takes about 0.1 s). Returns the load problem, if any.
std::optional<common::Error> preloadCrdSchemas();
std::optional<common::Error> crdSchemaLoadError();
/// How many times the shipped file has been parsed in this process (tests assert it stays 1).
std::size_t crdSchemaParseCountForTest();

} // namespace meshcraft::core::config
