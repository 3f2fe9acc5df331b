// SPDX-License-Identifier: GPL-3.0-or-later
// Sidecar, as Istio's ValidateSidecar (istio-behaviour.md §5.5).
#include "core/config/validate_kinds_p.h"
#include "core/config/validation_primitives.h"

#include <map>
#include <set>

namespace meshcraft::core::config::detail {

namespace {

// Go's net.SplitHostPort; returns the error text, or empty on success.
std::string splitHostPort(const std::string &hostport, std::string &host, std::string &port)
{
    const auto fail = [&](const std::string &why) {
        host.clear();
        port.clear();
        return "address " + hostport + ": " + why;
    };
    const auto colon = hostport.rfind(':');
    if (colon == std::string::npos) {
        return fail("missing port in address");
    }
    std::size_t noOpen = 0;
    std::size_t noClose = 0;
    if (hostport[0] == '[') {
        const auto end = hostport.find(']');
        if (end == std::string::npos) {
            return fail("missing ']' in address");
        }
        if (end + 1 == hostport.size()) {
            return fail("missing port in address");
        }
        if (end + 1 != colon) {
            return fail(hostport[end + 1] == ':' ? "too many colons in address"
                                                 : "missing port in address");
        }
        host = hostport.substr(1, end - 1);
        noOpen = 1;
        noClose = end + 1;
    } else {
        host = hostport.substr(0, colon);
        if (host.find(':') != std::string::npos) {
            return fail("too many colons in address");
        }
    }
    if (hostport.find('[', noOpen) != std::string::npos) {
        return fail("unexpected '[' in address");
    }
    if (hostport.find(']', noClose) != std::string::npos) {
        return fail("unexpected ']' in address");
    }
    port = hostport.substr(colon + 1);
    return {};
}

// Go's strconv.Atoi, with its error text.
std::optional<std::int64_t> atoi(const std::string &text, std::string &error)
{
    std::string_view digits = text;
    bool negative = false;
    if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
        negative = digits[0] == '-';
        digits.remove_prefix(1);
    }
    bool valid = !digits.empty();
    std::uint64_t value = 0;
    bool overflow = false;
    for (const char c : digits) {
        if (c < '0' || c > '9') {
            valid = false;
            break;
        }
        if (value > (UINT64_MAX - 9) / 10) {
            overflow = true;
        } else {
            value = value * 10 + static_cast<std::uint64_t>(c - '0');
        }
    }
    if (!valid) {
        error = "strconv.Atoi: parsing " + goQuote(text) + ": invalid syntax";
        return std::nullopt;
    }
    if (overflow || value > static_cast<std::uint64_t>(INT64_MAX) + (negative ? 1U : 0U)) {
        error = "strconv.Atoi: parsing " + goQuote(text) + ": value out of range";
        return std::nullopt;
    }
    return negative ? -static_cast<std::int64_t>(value) : static_cast<std::int64_t>(value);
}

void validateDefaultEndpoint(ValidationContext &context, const Field &field,
                             const std::string &endpoint)
{
    if (endpoint.rfind(UnixAddressPrefix, 0) == 0) {
        context.error(validateUnixAddress(endpoint.substr(UnixAddressPrefix.size())), field);
        return;
    }
    std::string host;
    std::string port;
    const std::string splitError = splitHostPort(endpoint, host, port);
    if (!splitError.empty()) {
        context.error("istio.sidecar-default-endpoint", splitError, field);
    }
    if (!host.empty() && host != "127.0.0.1" && host != "0.0.0.0" && host != "::1" &&
        host != "::") {
        context.error("istio.sidecar-default-endpoint",
                      "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,"
                      "[::1]:port,[::]:port,unix://filepath or unset",
                      field);
    }
    std::string atoiError;
    if (const auto number = atoi(port, atoiError)) {
        context.error(validatePort(*number), field);
    } else {
        context.error("istio.sidecar-default-endpoint",
                      "sidecar: defaultEndpoint port (" + port + ") is not a number: " + atoiError,
                      field);
    }
}

// The port of an ingress listener, or of an egress listener that has a number.
void validateListenerPort(ValidationContext &context, const Field &port, const Field &bindField)
{
    const Field name = port["name"];
    if (const auto text = name.string(); text && !text->empty()) {
        context.error(validatePortName(*text), name);
    }
    const Field protocol = port["protocol"];
    if (const auto text = protocol.string()) {
        context.error(validateProtocol(*text), protocol);
    }
    const Field number = port["number"];
    if (const auto value = number.uint32()) {
        context.error(validatePort(*value), number.present() ? number : port);
    }
    if (const auto bind = bindField.string(); bind && !bind->empty()) {
        context.error(validateIpAddress(*bind), bindField);
    }
}

void validateIngress(ValidationContext &context, const Field &ingress)
{
    std::set<std::int64_t> ports;
    for (const Field &listener : ingress.items()) {
        if (!listener.present()) {
            context.error("istio.sidecar-null-listener", "sidecar: ingress may not be null",
                          listener);
            continue;
        }
        const Field port = listener["port"];
        if (!port.present()) {
            context.error("istio.sidecar-ingress-port-required",
                          "sidecar: port is required for ingress listeners", port);
            continue;
        }
        if (const auto target = port["targetPort"].uint32(); target && *target > 0) {
            context.error("istio.sidecar-target-port", "targetPort has no impact on Sidecars",
                          port["targetPort"]);
        }
        validateListenerPort(context, port, listener["bind"]);
        if (const auto number = port["number"].uint32()) {
            if (!ports.insert(*number).second) {
                context.error("istio.sidecar-duplicate-port",
                              "sidecar: ports on IP bound listeners must be unique", port);
            }
        }
        const Field defaultEndpoint = listener["defaultEndpoint"];
        if (const auto endpoint = defaultEndpoint.string(); endpoint && !endpoint->empty()) {
            validateDefaultEndpoint(context, defaultEndpoint, *endpoint);
        }
        const Field tls = listener["tls"];
        if (tls.present()) {
            if (tls["subjectAltNames"].size() > 0) {
                context.error("istio.sidecar-ingress-tls",
                              "sidecar: subjectAltNames is not supported in ingress tls",
                              tls["subjectAltNames"]);
            }
            if (tls["httpsRedirect"].boolean().value_or(false)) {
                context.error("istio.sidecar-ingress-tls",
                              "sidecar: httpsRedirect is not supported", tls["httpsRedirect"]);
            }
            if (!tls["credentialName"].string().value_or(std::string()).empty()) {
                context.error("istio.sidecar-ingress-tls",
                              "sidecar: credentialName is not currently supported",
                              tls["credentialName"]);
            }
            const auto mode = tls["mode"].string();
            if (mode && (*mode == "ISTIO_MUTUAL" || *mode == "AUTO_PASSTHROUGH")) {
                context.error("istio.sidecar-ingress-tls",
                              "configuration is invalid: cannot set mode to " + *mode +
                                  " in sidecar ingress tls",
                              tls["mode"]);
            }
            validateServerTlsOptions(context, tls);
        }
        const Field pool = listener["connectionPool"];
        const auto protocol = port["protocol"].string();
        if (pool["http"].present() && protocol && !isHttp(parseProtocol(*protocol))) {
            const std::int64_t number = port["number"].uint32().value_or(0);
            context.warning("istio.sidecar-http-pool",
                            "sidecar: HTTP connection pool settings are configured for port " +
                                std::to_string(number) + " (" +
                                goQuote(port["name"].string().value_or(std::string())) +
                                ") but its protocol is not HTTP (" + *protocol +
                                "); only TCP settings will apply",
                            pool["http"]);
        }
    }
}

void validateEgressHosts(ValidationContext &context, const Field &hosts)
{
    std::map<std::string, std::map<std::string, bool>> byNamespace;
    for (const auto &[host, field] : hosts.stringItems()) {
        const auto slash = host.find('/');
        if (slash != std::string::npos) {
            std::string ns = host.substr(0, slash);
            const std::string service = host.substr(slash + 1);
            if (ns == ".") {
                ns = context.nameSpace();
            }
            auto &services = byNamespace[ns];
            const auto selected = [&services](const std::string &key) {
                const auto found = services.find(key);
                return found != services.end() && found->second;
            };
            const bool duplicate =
                service != "*" ? services.count(service) != 0 || selected("*") : !services.empty();
            if (duplicate) {
                context.warning("istio.sidecar-duplicate-egress-host",
                                "duplicated egress host: " + host, field);
            }
            services[service] = true;
        }
        context.errors(validateNamespaceSlashWildcardHostname(host, false), field);
    }
    const auto all = byNamespace.find("*");
    if (all != byNamespace.end() && all->second.count("*") != 0 && all->second.at("*") &&
        byNamespace.size() != 1) {
        context.warning("istio.sidecar-select-all-host",
                        "`*/*` host select all resources, no other hosts can be added", hosts);
    }
}

void validateEgress(ValidationContext &context, const Field &egress)
{
    std::set<std::int64_t> ports;
    std::set<std::string> sockets;
    bool catchAllFound = false;
    const std::vector<Field> listeners = egress.items();
    for (std::size_t index = 0; index < listeners.size(); ++index) {
        const Field &listener = listeners[index];
        if (!listener.present()) {
            context.error("istio.sidecar-null-listener", "egress listener may not be null",
                          listener);
            continue;
        }
        const Field port = listener["port"];
        if (!port.present()) {
            // Only one catch-all listener, and it comes last.
            if (!catchAllFound) {
                if (index + 1 == listeners.size()) {
                    catchAllFound = true;
                } else {
                    context.error("istio.sidecar-catch-all-not-last",
                                  "sidecar: the egress listener with empty port should be the last "
                                  "listener in the list",
                                  listener);
                }
            } else {
                context.error("istio.sidecar-multiple-catch-all",
                              "sidecar: egress can have only one listener with empty port",
                              listener);
                continue;
            }
        } else {
            if (const auto target = port["targetPort"].uint32(); target && *target > 0) {
                context.error("istio.sidecar-target-port", "targetPort has no impact on Sidecars",
                              port["targetPort"]);
            }
            const Field bindField = listener["bind"];
            const std::string bind = bindField.string().value_or(std::string());
            const auto number = port["number"].uint32();
            if (number && *number == 0) {
                // A unix domain socket listener.
                const Field name = port["name"];
                if (const auto text = name.string(); text && !text->empty()) {
                    context.error(validatePortName(*text), name);
                }
                if (const auto protocol = port["protocol"].string()) {
                    context.error(validateProtocol(*protocol), port["protocol"]);
                }
                if (bind.rfind(UnixAddressPrefix, 0) != 0) {
                    context.error("istio.sidecar-uds-bind",
                                  "sidecar: ports with 0 value must have a unix domain socket bind "
                                  "address",
                                  bindField);
                } else {
                    context.error(validateUnixAddress(bind.substr(UnixAddressPrefix.size())),
                                  bindField);
                }
                const auto mode = listener["captureMode"].string();
                if (mode && !mode->empty() && *mode != "DEFAULT" && *mode != "NONE") {
                    context.error("istio.sidecar-uds-capture-mode",
                                  "sidecar: captureMode must be DEFAULT/NONE for unix domain "
                                  "socket listeners",
                                  listener["captureMode"]);
                }
                if (!sockets.insert(bind).second) {
                    context.error("istio.sidecar-duplicate-uds",
                                  "sidecar: unix domain socket values for listeners must be unique",
                                  bindField);
                }
            } else if (number) {
                validateListenerPort(context, port, bindField);
                if (!ports.insert(*number).second) {
                    context.error("istio.sidecar-duplicate-port",
                                  "sidecar: ports on IP bound listeners must be unique", port);
                }
            }
        }
        const Field hosts = listener["hosts"];
        if (hosts.size() == 0 && hosts.strings()) {
            context.error("istio.sidecar-egress-no-hosts",
                          "sidecar: egress listener must contain at least one host", hosts);
        } else {
            validateEgressHosts(context, hosts);
        }
    }
}

void validateOutboundTrafficPolicy(ValidationContext &context, const Field &policy)
{
    if (!policy.present()) {
        return;
    }
    const Field modeField = policy["mode"];
    const auto mode = modeField.string();
    if (!mode) {
        return;
    }
    if (*mode == "ALLOW_ANY_DYNAMIC_DNS") {
        context.error("istio.sidecar-dynamic-dns-mode",
                      "sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only supported in MeshConfig, not in "
                      "Sidecar resource",
                      modeField);
        return;
    }
    const Field proxy = policy["egressProxy"];
    if (!proxy.present()) {
        return;
    }
    if (*mode != "ALLOW_ANY") {
        context.error("istio.sidecar-egress-proxy-mode",
                      "sidecar: egress_proxy must be set only with ALLOW_ANY "
                      "outbound_traffic_policy mode",
                      proxy);
        return;
    }
    if (const auto host = proxy["host"].string()) {
        context.error(validateFqdn(*host), proxy["host"]);
    }
    if (!proxy["port"].present()) {
        context.error("istio.sidecar-egress-proxy-port",
                      "sidecar: egress_proxy port must be non-nil", proxy["port"]);
        return;
    }
    validateDestination(context, proxy);
}

} // namespace

void validateSidecar(ValidationContext &context)
{
    const Field spec = context.spec();
    const Field selector = spec["workloadSelector"];
    if (selector.present() && validateSelectorLabels(context, selector["labels"]) > 0) {
        return; // Istio returns the selector errors alone
    }
    if (spec["egress"].size() == 0 && spec["ingress"].size() == 0 &&
        !spec["outboundTrafficPolicy"].present() && !spec["inboundConnectionPool"].present()) {
        context.error("istio.sidecar-empty", "sidecar: empty configuration provided", spec);
        return;
    }
    if (selector.present() && selector["labels"].size() == 0) {
        context.warning("istio.selector-without-labels",
                        "sidecar: workload selector specified without labels, will be applied to "
                        "all services in namespace",
                        selector);
    }
    validateIngress(context, spec["ingress"]);
    validateEgress(context, spec["egress"]);
    validateOutboundTrafficPolicy(context, spec["outboundTrafficPolicy"]);
}

} // namespace meshcraft::core::config::detail
