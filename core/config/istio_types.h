// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/node_read.h"
#include "core/config/resource.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::config {

// Typed views of Istio's networking resources. They are read tolerantly: validation is a
// separate pass, so a missing or wrongly typed field reads as its default. Fields that later
// code must point back to (diagnostics, the analyzer, the mesh view) keep their Mark.

struct WorkloadSelector
{
    std::map<std::string, std::string> labels;
    Mark mark;
};

/// ServiceEntry.resolution. Istio's default is NONE.
enum class Resolution { None, Static, Dns, DnsRoundRobin, DynamicDns };
/// ServiceEntry.location. Istio's default is MESH_EXTERNAL.
enum class Location { MeshExternal, MeshInternal };

const char *resolutionName(Resolution resolution);
const char *locationName(Location location);

/// A port of a ServiceEntry (also used for Sidecar listeners).
struct ServicePort
{
    int number = 0;
    std::string protocol; ///< as written; empty means "sniffed"
    std::string name;
    int targetPort = 0; ///< 0 when unset
    Mark mark;
};

struct ServiceEntryEndpoint
{
    MarkedString address;
    std::map<std::string, int> ports; ///< port name -> number
    std::map<std::string, std::string> labels;
    Mark mark;
};

struct ServiceEntry
{
    ObjectMeta metadata;
    std::vector<MarkedString> hosts;
    std::vector<MarkedString> addresses;
    std::vector<ServicePort> ports;
    Location location = Location::MeshExternal;
    Resolution resolution = Resolution::None;
    std::string resolutionText; ///< as written ("" when absent), for messages
    std::vector<ServiceEntryEndpoint> endpoints;
    std::vector<MarkedString> exportTo;
    std::optional<WorkloadSelector> workloadSelector;
};

struct GatewayPort
{
    int number = 0;
    std::string name;
    std::string protocol;
    Mark mark;
};

struct GatewayServer
{
    GatewayPort port;
    std::vector<MarkedString> hosts;
    std::string bind;
    bool hasTls = false;
    Mark mark;
};

struct Gateway
{
    ObjectMeta metadata;
    std::map<std::string, std::string> selector;
    Mark selectorMark;
    std::vector<GatewayServer> servers;
};

struct Subset
{
    MarkedString name;
    std::map<std::string, std::string> labels;
    bool hasTrafficPolicy = false;
    Mark mark;
};

struct DestinationRule
{
    ObjectMeta metadata;
    MarkedString host;
    std::vector<Subset> subsets;
    bool hasTrafficPolicy = false;
    std::vector<MarkedString> exportTo;
};

struct L4Match
{
    std::vector<MarkedString> destinationSubnets;
    int port = 0; ///< 0 when unset
    std::vector<MarkedString> gateways;
    std::map<std::string, std::string> sourceLabels;
    Mark mark;
};

struct RouteDestination
{
    MarkedString host;
    std::string subset;
    Mark subsetMark;
    int port = 0;   ///< destination.port.number; 0 when unset
    int weight = 0; ///< 0 when unset
    Mark mark;
};

struct TcpRoute
{
    std::vector<L4Match> match;
    std::vector<RouteDestination> route;
    Mark mark;
};

struct VirtualService
{
    ObjectMeta metadata;
    std::vector<MarkedString> hosts;
    std::vector<MarkedString> gateways;
    std::vector<TcpRoute> tcp;
    bool hasHttp = false;
    bool hasTls = false;
    std::vector<MarkedString> exportTo;
};

/// Sidecar.outboundTrafficPolicy.mode and the mesh-wide setting of the same name.
enum class OutboundTrafficPolicyMode { AllowAny, RegistryOnly };
const char *outboundModeName(OutboundTrafficPolicyMode mode);
std::optional<OutboundTrafficPolicyMode> parseOutboundMode(std::string_view text);

struct SidecarEgress
{
    std::optional<ServicePort> port;
    std::string bind;
    std::vector<MarkedString> hosts;
    Mark mark;
};

struct Sidecar
{
    ObjectMeta metadata;
    std::optional<WorkloadSelector> workloadSelector;
    std::optional<OutboundTrafficPolicyMode> outboundTrafficPolicy; ///< unset: the mesh's
    std::vector<SidecarEgress> egress;
};

/// Each returns nullopt when the resource is of another kind.
std::optional<ServiceEntry> serviceEntryFrom(const Resource &resource);
std::optional<Gateway> gatewayFrom(const Resource &resource);
std::optional<DestinationRule> destinationRuleFrom(const Resource &resource);
std::optional<VirtualService> virtualServiceFrom(const Resource &resource);
std::optional<Sidecar> sidecarFrom(const Resource &resource);

/// Expands a short host the way Istio does for DestinationRule and VirtualService hosts:
/// a name without a dot becomes `name.<namespace>.svc.<domain>`; `*`, names with a dot and
/// IP addresses stay as they are. An empty namespace leaves the namespace part out, as Istio.
std::string resolveShortHost(std::string_view host, std::string_view nameSpace,
                             std::string_view domain = "cluster.local");

} // namespace meshcraft::core::config
