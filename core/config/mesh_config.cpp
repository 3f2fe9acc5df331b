// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/mesh_config.h"

#include "core/config/k8s_types.h"
#include "core/config/schema_cel.h"
#include "core/config/store.h"
#include "core/config/yaml_loader.h"

namespace meshcraft::core::config {

using common::Diagnostic;
using common::Severity;

namespace {

class MeshReader
{
public:
    MeshReader(const std::string &source, MeshConfigResult &result)
        : m_source(source), m_result(result)
    {
    }

    void invalid(const Node &node, const std::string &field, const std::string &why)
    {
        m_result.diagnostics.push_back(
            Diagnostic{Severity::Error, "mesh.invalid-value",
                       "mesh config " + field + ": " + why + "; Pilot keeps the default",
                       common::SourceLocation{m_source, node.mark.line, node.mark.column}, field});
    }

    void duration(const Node *parent, std::string_view key, const std::string &field,
                  std::chrono::milliseconds &out)
    {
        const Node *node = parent ? parent->find(key) : nullptr;
        if (!node || node->isNullValue()) {
            return;
        }
        // Istio 1.3 reads mesh durations with Go's time.ParseDuration.
        const auto nanoseconds =
            node->isScalar() ? parseGoDuration(node->scalar) : std::optional<std::int64_t>();
        if (!nanoseconds) {
            invalid(*node, field, "invalid duration " + toJson(*node));
            return;
        }
        out = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::nanoseconds(*nanoseconds));
    }

    void text(const Node *parent, std::string_view key, std::string &out)
    {
        const Node *node = parent ? parent->find(key) : nullptr;
        if (node && node->isScalar()) {
            out = node->isNullValue() ? std::string() : node->scalar;
        }
    }

    void flag(const Node *parent, std::string_view key, bool &out)
    {
        out = readBool(parent, key, out);
    }

    void number(const Node *parent, std::string_view key, int &out)
    {
        out = readInt(parent, key, out);
    }

private:
    const std::string &m_source;
    MeshConfigResult &m_result;
};

} // namespace

MeshConfigResult parseMeshConfig(std::string_view text, const std::string &source)
{
    MeshConfigResult result;
    YamlLoadResult loaded = loadYaml(text, source);
    if (common::hasErrors(loaded.diagnostics)) {
        result.diagnostics = std::move(loaded.diagnostics);
        return result;
    }
    if (loaded.documents.empty() || !loaded.documents.front().root.isMap()) {
        return result;
    }
    const Node &root = loaded.documents.front().root;
    MeshConfig &config = result.config;
    MeshReader reader(source, result);

    if (const Node *policy = readMap(&root, "outboundTrafficPolicy")) {
        if (const Node *mode = policy->find("mode"); mode && !mode->isNullValue()) {
            if (const auto parsed = parseOutboundMode(mode->scalar)) {
                config.outboundTrafficPolicy = *parsed;
            } else {
                reader.invalid(*mode, "outboundTrafficPolicy.mode",
                               "unknown value " + toJson(*mode));
            }
        }
    }
    const Node *proxy = readMap(&root, "defaultConfig");
    // The chart writes connectTimeout at both levels; the mesh-wide one wins.
    reader.duration(proxy, "connectTimeout", "defaultConfig.connectTimeout", config.connectTimeout);
    reader.duration(&root, "connectTimeout", "connectTimeout", config.connectTimeout);
    reader.duration(&root, "protocolDetectionTimeout", "protocolDetectionTimeout",
                    config.protocolDetectionTimeout);
    reader.text(&root, "accessLogFile", config.accessLogFile);
    reader.text(&root, "accessLogEncoding", config.accessLogEncoding);
    reader.text(&root, "accessLogFormat", config.accessLogFormat);
    reader.flag(&root, "enableTracing", config.enableTracing);
    reader.flag(&root, "disablePolicyChecks", config.disablePolicyChecks);

    reader.duration(proxy, "drainDuration", "defaultConfig.drainDuration", config.drainDuration);
    reader.duration(proxy, "parentShutdownDuration", "defaultConfig.parentShutdownDuration",
                    config.parentShutdownDuration);
    reader.number(proxy, "proxyAdminPort", config.proxyAdminPort);
    reader.number(proxy, "concurrency", config.concurrency);
    reader.text(proxy, "discoveryAddress", config.discoveryAddress);
    return result;
}

MeshConfigResult meshConfigFromStore(const Store &store, std::string_view nameSpace)
{
    const StoredObject *stored = store.get(Kind::ConfigMap, nameSpace, "istio");
    if (!stored) {
        return {};
    }
    const auto configMap = configMapFrom(stored->resource);
    const auto mesh = configMap->data.find("mesh");
    if (mesh == configMap->data.end()) {
        return {};
    }
    return parseMeshConfig(mesh->second, "configmap/istio mesh");
}

} // namespace meshcraft::core::config
