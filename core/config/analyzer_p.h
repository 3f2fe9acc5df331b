// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to config/: the shared context of the analyzers and the helpers they share. Each
// analyzer family lives in its own file (analyzer_gateway.cpp, analyzer_virtual_service.cpp,
// ...); analyzer.cpp gathers the objects, runs them and formats the result.

#include "core/config/analyzer.h"
#include "core/config/validation_primitives.h"

#include <cstddef>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace meshcraft::core::config::detail {

/// One object as the analyzers see it.
struct AnalyzedObject
{
    const Resource *resource = nullptr;
    std::string nameSpace; ///< the effective namespace; empty for a Namespace
    std::string file;      ///< empty for objects in the cluster
    int startLine = 0;     ///< istioctl's line for the object: its YAML chunk's first line
    /// istioctl counts field lines from where the chunk's buffer begins, not from its first
    /// line, so they run late by this much after leading blank lines or a leading `---`.
    int fieldLineShift = 0;

    const std::string &name() const { return resource->metadata.name; }
    const std::map<std::string, std::string> &labels() const { return resource->metadata.labels; }
    /// Istio's FullName: "ns/name", or "name" for a Namespace.
    std::string fullName() const;
};

/// A message type of Istio's catalogue (pkg/config/analysis/msg/messages.yaml).
struct MessageType
{
    common::Severity level;
    const char *code;
    const char *name;
};

inline constexpr MessageType ReferencedResourceNotFound{common::Severity::Error, "IST0101",
                                                        "ReferencedResourceNotFound"};
inline constexpr MessageType NamespaceNotInjected{common::Severity::Info, "IST0102",
                                                  "NamespaceNotInjected"};
inline constexpr MessageType PodMissingProxy{common::Severity::Warning, "IST0103",
                                             "PodMissingProxy"};
inline constexpr MessageType ConflictingMeshGatewayVirtualServiceHosts{
    common::Severity::Error, "IST0109", "ConflictingMeshGatewayVirtualServiceHosts"};
inline constexpr MessageType VirtualServiceDestinationPortSelectorRequired{
    common::Severity::Error, "IST0112", "VirtualServiceDestinationPortSelectorRequired"};
inline constexpr MessageType VirtualServiceHostNotFoundInGateway{
    common::Severity::Warning, "IST0132", "VirtualServiceHostNotFoundInGateway"};
inline constexpr MessageType ServiceEntryAddressesRequired{common::Severity::Warning, "IST0134",
                                                           "ServiceEntryAddressesRequired"};
inline constexpr MessageType ConflictingGateways{common::Severity::Error, "IST0145",
                                                 "ConflictingGateways"};
inline constexpr MessageType GatewayPortNotDefinedOnService{common::Severity::Warning, "IST0162",
                                                            "GatewayPortNotDefinedOnService"};
inline constexpr MessageType UnknownDestinationRuleHost{common::Severity::Warning, "IST0174",
                                                        "UnknownDestinationRuleHost"};

/// One step of a field path, as in istioctl's `{.spec.servers[0].port}`: a key or an index.
using PathStep = std::variant<std::string_view, std::size_t>;

/// What the analyzers read and where they report.
class AnalysisContext
{
public:
    explicit AnalysisContext(std::vector<AnalyzedObject> objects);

    /// Objects of a kind, by namespace then name.
    const std::vector<const AnalyzedObject *> &objects(Kind kind) const;
    const AnalyzedObject *find(Kind kind, std::string_view nameSpace, std::string_view name) const;

    /// istioctl's ErrorLine: the line of a scalar field of an object read from a file; 0 for
    /// cluster objects, or when the field is absent or not a scalar.
    int fieldLine(const AnalyzedObject &object, std::initializer_list<PathStep> path) const;

    /// Reports a message; `line` 0 means the object's own line.
    void report(const AnalyzedObject &object, const MessageType &type, std::string text,
                int line = 0);

    std::vector<AnalysisMessage> takeMessages() { return std::move(m_messages); }

private:
    std::vector<AnalyzedObject> m_objects;
    std::map<Kind, std::vector<const AnalyzedObject *>> m_byKind;
    std::vector<AnalysisMessage> m_messages;
};

// Text as Go's fmt prints it.
/// %v of a []string: "[a b]".
std::string goList(const std::vector<std::string> &items);
/// %v of a []int: "[80 443]".
std::string goList(const std::vector<int> &items);
/// IST0101's text: `Referenced <type> not found: "<value>"`.
std::string referencedNotFound(std::string_view type, std::string_view value);

// Labels and hosts, as Istio's analyzers compare them.
/// klabels.SelectorFromSet(set).String(): "k1=v1,k2=v2", sorted; empty for no labels.
std::string selectorString(const std::map<std::string, std::string> &selector);
/// Whether every selector label is among the labels (an empty selector selects everything).
bool selectorMatches(const std::map<std::string, std::string> &selector,
                     const std::map<std::string, std::string> &labels);
/// util.ConvertHostToFQDN: a short name becomes `name.<ns>.svc.cluster.local`.
std::string toFqdn(std::string_view nameSpace, std::string_view host);

/// util.InitServiceEntryHostMap and GetDestinationHost: the hosts of ServiceEntries and
/// Kubernetes Services, each with the namespaces that see it, and their ports.
class ServiceRegistry
{
public:
    explicit ServiceRegistry(const AnalysisContext &context);

    struct Service
    {
        std::vector<int> ports;
    };

    /// The service a reference from `nameSpace` (with the referrer's exportTo) resolves to,
    /// or null.
    const Service *lookup(std::string_view nameSpace, const std::vector<std::string> &exportTo,
                          std::string_view host) const;

private:
    void add(std::string scope, std::string fqdn, Service service);

    std::map<std::string, Service> m_scoped; ///< "<scope>/<fqdn>"
};

// The analyzer families. Names follow Istio's (pkg/config/analysis/analyzers/...).
void analyzeGatewayPorts(AnalysisContext &context);           // IST0101 selector, IST0162
void analyzeConflictingGateways(AnalysisContext &context);    // IST0101 selector, IST0145
void analyzeVirtualServiceGateways(AnalysisContext &context); // IST0101 gateway, IST0132
void analyzeDestinationHosts(AnalysisContext &context);       // IST0101 host, host:port, IST0112
void analyzeDestinationRuleSubsets(AnalysisContext &context); // IST0101 host+subset
void analyzeConflictingMeshGatewayHosts(AnalysisContext &context); // IST0109
void analyzeDestinationRuleHosts(AnalysisContext &context);        // IST0174
void analyzeServiceEntryAddresses(AnalysisContext &context);       // IST0134
void analyzeInjection(AnalysisContext &context);                   // IST0102, IST0103

} // namespace meshcraft::core::config::detail
