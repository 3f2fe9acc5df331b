// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/xds/push_context.h"
#include "core/xds/snapshot.h"

#include <string>
#include <vector>

namespace meshcraft::core::xds {

/// A Gateway server port that got no listener, and why (for the control-plane log).
struct OmittedListener
{
    std::string gateway; ///< "default/istio-egressgateway"
    std::uint16_t port = 0;
    std::string listenerName; ///< "0.0.0.0_6379"
    std::string reason;       ///< "must have more than 0 chains in listener"
};

struct GatewayListeners
{
    std::vector<Listener> listeners;
    std::vector<OmittedListener> omitted;
};

/// The egress gateway's listeners, as istiod's gateway builder makes them: one `0.0.0.0_port`
/// per port of the Gateway servers that select the pod. An opaque TCP server (TCP, MONGO, REDIS,
/// or TLS without settings) gets its filter chains only from VirtualService `tcp` routes bound
/// to that Gateway whose hosts match the server's; with none, the listener is omitted. HTTP and
/// TLS-terminating servers are not modelled (no HTTP in the snapshot) and get no listener.
class GatewayBuilder
{
public:
    GatewayBuilder(const PushContext &context, const ProxyScope &scope);

    GatewayListeners build() const;

private:
    const PushContext &m_context;
    const ProxyScope &m_scope;
};

/// Whether a Gateway's selector picks the pod (an empty selector picks every gateway pod).
bool gatewaySelects(const config::Gateway &gateway, const mesh::PodView &pod);

} // namespace meshcraft::core::xds
