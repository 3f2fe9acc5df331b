// SPDX-License-Identifier: GPL-3.0-or-later
// ServiceEntry, as Istio's ValidateServiceEntry (istio-behaviour.md §5.1). The rules run in
// Istio's order, so a denial lists its errors as the webhook would.
#include "core/config/validate_kinds_p.h"
#include "core/config/validation_primitives.h"

#include <set>

namespace meshcraft::core::config::detail {

namespace {

constexpr std::string_view DynamicDns = "DYNAMIC_DNS";

// The endpoint ports map: each entry's name and number field.
void validateEndpointPorts(ValidationContext &context, const Field &ports,
                           const std::set<std::string> &servicePorts)
{
    for (const auto &[name, number] : ports.entries()) {
        const std::optional<std::int64_t> value = number.uint32();
        if (!value) {
            continue;
        }
        if (servicePorts.count(name) == 0) {
            context.error("istio.endpoint-port-undefined",
                          "endpoint port " + std::to_string(*value) +
                              " is not defined by the service entry",
                          number);
        }
        context.error(validatePortName(name), number);
        context.error(validatePort(*value), number);
    }
}

// validateWorkloadEntry(endpoint, servicePorts, allowFQDNAddresses=false), for STATIC.
void validateStaticEndpoint(ValidationContext &context, const Field &endpoint,
                            const std::set<std::string> &servicePorts)
{
    const Field addressField = endpoint["address"];
    const std::optional<std::string> address = addressField.string();
    if (!address) {
        return;
    }
    if (address->empty()) {
        const std::string network = endpoint["network"].string().value_or(std::string());
        if (network.empty()) {
            context.error("istio.endpoint-address-required", "address is required", addressField);
            return;
        }
        context.warning("istio.endpoint-address-unset",
                        "address is unset with network " + goQuote(network), addressField);
    }
    const Field ports = endpoint["ports"];
    bool unixEndpoint = false;
    if (address->rfind(UnixAddressPrefix, 0) == 0) {
        unixEndpoint = true;
        context.error(validateUnixAddress(address->substr(UnixAddressPrefix.size())), addressField);
        if (ports.size() != 0) {
            context.error("istio.unix-endpoint-ports",
                          "unix endpoint " + *address + " must not include ports", addressField);
        }
    } else if (!address->empty() && !isValidIpAddress(*address)) {
        context.error("istio.endpoint-not-ip",
                      "endpoint address " + goQuote(*address) + " is not a valid IP address",
                      addressField);
    }
    validateEndpointPorts(context, ports, servicePorts);
    validateLabels(context, endpoint["labels"]);
    if (unixEndpoint && servicePorts.size() != 1) {
        context.error("istio.unix-endpoint-port-count",
                      "exactly 1 service port required for unix endpoints", addressField);
    }
}

// The endpoints of a DNS or DNS_ROUND_ROBIN entry: an IP or an FQDN.
void validateDnsEndpoint(ValidationContext &context, const Field &endpoint,
                         const std::set<std::string> &servicePorts)
{
    const Field addressField = endpoint["address"];
    if (const auto address = addressField.string()) {
        if (!isValidIpAddress(*address) && validateFqdn(*address)) {
            context.error("istio.endpoint-address",
                          "endpoint address " + goQuote(*address) +
                              " is not a valid FQDN or an IP address",
                          addressField);
        }
    }
    validateLabels(context, endpoint["labels"]);
    validateEndpointPorts(context, endpoint["ports"], servicePorts);
}

} // namespace

void validateServiceEntry(ValidationContext &context)
{
    const Field spec = context.spec();

    // Workload selector errors stop the validation, as in Istio (it returns at once).
    const Field selector = spec["workloadSelector"];
    if (selector.present()) {
        if (validateSelectorLabels(context, selector["labels"]) > 0) {
            return;
        }
        if (selector["labels"].size() == 0) {
            context.warning("istio.selector-without-labels",
                            "service entry: workload selector specified without labels, will be "
                            "applied to all services in namespace",
                            selector);
        }
    }

    const Field endpoints = spec["endpoints"];
    if (selector.present() && endpoints.size() > 0) {
        context.error("istio.selector-and-endpoints",
                      "only one of WorkloadSelector or Endpoints is allowed in Service Entry",
                      endpoints);
    }

    const Field hosts = spec["hosts"];
    const auto hostItems = hosts.stringItems();
    if (hosts.size() == 0 && hosts.strings()) {
        context.error("istio.se-missing-hosts", "service entry must have at least one host", hosts);
    }
    for (const auto &[host, field] : hostItems) {
        if (host == "*") {
            context.error("istio.se-wildcard-host", "invalid host *", field);
        } else {
            context.error(validateWildcardDomain(host), field);
            context.warning(validatePartialWildcard(host), field);
        }
    }

    const Field addressesField = spec["addresses"];
    const auto addresses = addressesField.stringItems();
    bool cidrFound = false;
    for (const auto &[address, field] : addresses) {
        cidrFound = cidrFound || address.find('/') != std::string::npos;
        context.error(validateIpSubnet(address), field);
    }

    // The resolution; an unset one is NONE. A value of the wrong type skips what depends on it.
    const Field resolutionField = spec["resolution"];
    std::optional<std::string> resolution = resolutionField.string();
    if (resolution && resolution->empty()) {
        resolution = "NONE";
    }
    if (cidrFound && resolution && *resolution != "NONE" && *resolution != "STATIC") {
        context.error("istio.cidr-resolution",
                      "CIDR addresses are allowed only for NONE/STATIC resolution types",
                      addressesField);
    }

    // Meshcraft's mesh has no IP auto-allocation (there is no DNS proxy in the simulated
    // install), so the "addresses are required" warning applies.
    const bool autoAllocation = false;
    std::set<std::int64_t> portNumbers;
    std::set<std::string> portNames;
    const std::vector<Field> ports = spec["ports"].items();
    for (const Field &port : ports) {
        if (!port.present()) {
            context.error("istio.se-null-port", "service entry port may not be null", port);
            continue;
        }
        const Field nameField = port["name"];
        const Field numberField = port["number"];
        const Field protocolField = port["protocol"];
        const Field targetPortField = port["targetPort"];
        const std::optional<std::string> name = nameField.string();
        const std::optional<std::int64_t> number = numberField.uint32();
        const std::optional<std::string> protocol = protocolField.string();
        if (name && !portNames.insert(*name).second) {
            context.error("istio.duplicate-port-name",
                          "service entry port name " + goQuote(*name) + " already defined",
                          nameField);
        }
        if (number && !portNumbers.insert(*number).second) {
            context.error("istio.duplicate-port-number",
                          "service entry port " + std::to_string(*number) + " already defined",
                          numberField);
        }
        if (const auto targetPort = targetPortField.uint32(); targetPort && *targetPort != 0) {
            context.error(validatePort(*targetPort), targetPortField);
            if (resolution && *resolution == "NONE") {
                context.warning("istio.target-port-ignored",
                                "targetPort has no effect when resolution mode is NONE",
                                targetPortField);
            }
        }
        if (addressesField.size() == 0 && addressesField.strings() && !autoAllocation && protocol &&
            (protocol->empty() || *protocol == "TCP")) {
            context.warning("istio.addresses-required",
                            "addresses are required for ports serving TCP (or unset) protocol "
                            "when IP Autoallocation is not enabled",
                            port);
        }
        if (name) {
            context.error(validatePortName(*name), nameField);
        }
        if (protocol) {
            context.error(validateProtocol(*protocol), protocolField);
        }
        if (number) {
            context.error(validatePort(*number), numberField.present() ? numberField : port);
        }
    }

    if (resolution) {
        if (*resolution == "NONE") {
            if (endpoints.size() > 0) {
                context.error("istio.none-endpoints",
                              "no endpoints should be provided for resolution type none",
                              endpoints);
            }
            if (selector.present()) {
                context.warning("istio.selector-with-resolution",
                                "workloadSelector should not be set when resolution mode is NONE",
                                selector);
            }
        } else if (*resolution == "STATIC") {
            for (const Field &endpoint : endpoints.items()) {
                if (!endpoint.present()) {
                    context.error("istio.endpoint-null", "endpoint cannot be nil", endpoint);
                    continue;
                }
                validateStaticEndpoint(context, endpoint, portNames);
            }
        } else if (*resolution == "DNS" || *resolution == "DNS_ROUND_ROBIN") {
            if (endpoints.size() == 0) {
                for (const auto &[host, field] : hostItems) {
                    // Current Istio lets a prefix wildcard through here.
                    const std::string_view bare =
                        host.rfind("*.", 0) == 0 ? std::string_view(host).substr(2) : host;
                    if (const auto failed = validateFqdn(bare)) {
                        context.error("istio.host-not-fqdn",
                                      "hosts must be FQDN or contain only prefix wildcards if no "
                                      "endpoints are provided for resolution mode " +
                                          *resolution + ", " + failed->message,
                                      field);
                    }
                }
            }
            if (*resolution == "DNS_ROUND_ROBIN" && endpoints.size() > 1) {
                context.error("istio.dns-round-robin-endpoints",
                              "there must only be 0 or 1 endpoint for resolution mode "
                              "DNS_ROUND_ROBIN",
                              endpoints);
            }
            for (const Field &endpoint : endpoints.items()) {
                if (!endpoint.present()) {
                    context.error("istio.endpoint-null", "endpoint cannot be nil", endpoint);
                    continue;
                }
                validateDnsEndpoint(context, endpoint, portNames);
            }
            if (selector.present()) {
                context.warning("istio.selector-with-resolution",
                                "workloadSelector should not be set when resolution mode is " +
                                    *resolution,
                                selector);
            }
            if (!addresses.empty()) {
                for (const Field &port : ports) {
                    if (!port.present()) {
                        context.error("istio.se-null-port", "ports cannot be nil", port);
                        continue;
                    }
                    const auto protocol = port["protocol"].string();
                    if (protocol && isTcp(parseProtocol(*protocol))) {
                        if (hostItems.size() > 1) {
                            context.warning("istio.multiple-hosts-address-tcp",
                                            "service entry can not have more than one host "
                                            "specified simultaneously with address and tcp port",
                                            hosts);
                        }
                        break;
                    }
                }
            }
        } else if (*resolution == DynamicDns) {
            for (const auto &[host, field] : hostItems) {
                if (host.rfind('*', 0) != 0) {
                    context.error("istio.dynamic-dns-host",
                                  "host must be wildcarded for resolution mode DYNAMIC_DNS", field);
                }
            }
            if (addressesField.size() > 0) {
                context.error("istio.dynamic-dns-addresses",
                              "addresses are not supported for resolution mode DYNAMIC_DNS",
                              addressesField);
            }
            if (endpoints.size() > 0) {
                context.error("istio.dynamic-dns-endpoints",
                              "endpoints are not supported for resolution mode DYNAMIC_DNS",
                              endpoints);
            }
            for (const Field &port : ports) {
                const Field protocolField = port["protocol"];
                const auto protocol = protocolField.string();
                if (!protocol) {
                    continue;
                }
                const Protocol parsed = parseProtocol(*protocol);
                if (parsed != Protocol::Http && parsed != Protocol::Tls &&
                    parsed != Protocol::Grpc && parsed != Protocol::Http2) {
                    context.error("istio.dynamic-dns-protocol",
                                  "only HTTP, TLS, GRPC, and HTTP2 protocols are supported for "
                                  "resolution type DYNAMIC_DNS",
                                  protocolField.present() ? protocolField : port);
                }
            }
        } else {
            context.error("istio.unsupported-resolution",
                          "unsupported resolution type " + *resolution, resolutionField);
        }
    }

    // With several hosts, plain TCP cannot tell them apart unless the hosts are ignored (NONE).
    if (resolution && *resolution != "NONE" && hostItems.size() > 1) {
        for (const Field &port : ports) {
            if (!port.present()) {
                context.error("istio.se-null-port", "ports cannot be nil", port);
                continue;
            }
            const auto protocol = port["protocol"].string();
            if (!protocol) {
                continue;
            }
            const Protocol parsed = parseProtocol(*protocol);
            if (!isHttp(parsed) && !isTls(parsed)) {
                context.error("istio.multiple-hosts-non-http",
                              "multiple hosts provided with non-HTTP, non-TLS ports", hosts);
                break;
            }
        }
    }

    validateExportTo(context, spec["exportTo"], true, false);
}

} // namespace meshcraft::core::config::detail
