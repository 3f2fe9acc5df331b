// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to config/: the checks that several Istio kinds share (istio-behaviour.md §5.0), as
// Istio's webhook (`pkg/config/validation`, its `agent` package, `pkg/config/labels`,
// `pkg/config/protocol`, `pkg/config/host`, `pkg/config/visibility`) performs them, with Istio's
// own message text. Each check returns the problems it finds; the caller places them.

#include "core/config/validation_context.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshcraft::core::config::detail {

// ---- Go formatting ------------------------------------------------------------------------

/// Go's %q (strconv.Quote) for the strings Istio quotes in its messages.
std::string goQuote(std::string_view text);

// ---- Names --------------------------------------------------------------------------------

/// DNS-1123 label as Istio checks it: at most 63 characters,
/// `[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?`.
bool isDns1123Label(std::string_view value);
/// A DNS-1123 label that may also be `*`, or start with `*` or `*-`.
bool isWildcardDns1123Label(std::string_view value);

// ---- Ports and protocols ------------------------------------------------------------------

/// `port number %d must be in the range 1..65535` [istio.invalid-port].
std::optional<Problem> validatePort(std::int64_t port);
/// `invalid port name: %s` [istio.invalid-port-name].
std::optional<Problem> validatePortName(std::string_view name);

enum class Protocol {
    Grpc,
    GrpcWeb,
    Http,
    HttpProxy,
    Http2,
    Https,
    Tcp,
    Tls,
    Udp,
    Mongo,
    Redis,
    MySql,
    Unsupported
};
/// pkg/config/protocol Parse: case-insensitive; anything else (the empty string too) is
/// Unsupported.
Protocol parseProtocol(std::string_view text);
bool isHttp(Protocol protocol);
bool isTcp(Protocol protocol);
bool isTls(Protocol protocol);
/// `unsupported protocol: %s` [istio.unsupported-protocol]; empty means sniffing and is fine.
std::optional<Problem> validateProtocol(std::string_view protocol);

// ---- Hosts and domains --------------------------------------------------------------------

/// Length and emptiness: `domain name %q too long (max 255)` [istio.domain-too-long],
/// `empty domain name not allowed` [istio.empty-domain].
std::optional<Problem> checkDns1123Preconditions(std::string_view name);
/// Labels of a dotted name: `... (top level domain %q cannot be all-numeric)` [istio.numeric-tld],
/// `domain name %q invalid (label %q invalid)` [istio.invalid-domain-label]. A trailing dot is
/// allowed.
std::optional<Problem> validateDns1123Labels(std::string_view domain);
/// agent.ValidateFQDN.
std::optional<Problem> validateFqdn(std::string_view fqdn);
/// agent.ValidateWildcardDomain: an FQDN whose first label may be a wildcard label.
std::optional<Problem> validateWildcardDomain(std::string_view domain);
/// `partial wildcard %q not allowed` [istio.partial-wildcard].
std::optional<Problem> validatePartialWildcard(std::string_view host);
/// agent.ValidateNamespaceSlashWildcardHostname, for Gateway servers (isGateway) and Sidecar
/// egress listeners. Istio appends the domain error twice for a Sidecar host; so do we.
Problems validateNamespaceSlashWildcardHostname(std::string_view hostname, bool isGateway);

/// pkg/config/host Name.Matches and Name.SubsetOf.
bool hostMatches(std::string_view a, std::string_view b);
bool hostSubsetOf(std::string_view a, std::string_view b);

// ---- Addresses ----------------------------------------------------------------------------

/// Go's netip.ParseAddr: dotted-quad IPv4 without leading zeros, or IPv6 (zones allowed).
bool isValidIpAddress(std::string_view text);
/// Go's netip.ParsePrefix.
bool isValidIpPrefix(std::string_view text);
/// `%v is not a valid IP` [istio.invalid-address].
std::optional<Problem> validateIpAddress(std::string_view address);
/// agent.ValidateIPSubnet: a CIDR (`%v is not a valid CIDR block` [istio.invalid-cidr]) when the
/// text has exactly one slash, else an IP.
std::optional<Problem> validateIpSubnet(std::string_view subnet);
/// ValidateUnixAddress (the path after `unix://`) [istio.invalid-unix-address].
std::optional<Problem> validateUnixAddress(std::string_view path);
inline constexpr std::string_view UnixAddressPrefix = "unix://";

// ---- Subsets, labels, selectors, exportTo -------------------------------------------------

/// `subset name cannot be empty` [istio.empty-subset-name], `subset name is invalid: %s`
/// [istio.invalid-subset-name].
std::optional<Problem> validateSubsetName(std::string_view name);

/// labels.Instance.Validate over a map field: `invalid tag key: %q` [istio.invalid-label-key]
/// (with its "DNS prefix is too long" and "name is too long" forms) and `invalid tag value: %q`
/// [istio.invalid-label-value]. Each problem is placed on its key or value.
void validateLabels(ValidationContext &context, const Field &labels);

/// A workload selector's label map: `empty key is not supported in selector: %q`
/// [istio.selector-empty-key] and `wildcard is not supported in selector: %q`
/// [istio.selector-wildcard]. Returns the number of errors.
std::size_t validateSelectorLabels(ValidationContext &context, const Field &labels);

/// validateExportTo over `spec.exportTo` [istio.duplicate-export-to, istio.invalid-export-to,
/// istio.export-to-none, istio.mixed-public-export-to, istio.mixed-none-export-to,
/// istio.selector-export-to].
void validateExportTo(ValidationContext &context, const Field &exportTo, bool isServiceEntry,
                      bool isDestinationRuleWithSelector);

// ---- Route destinations (VirtualService routes, Sidecar egress proxy) ----------------------

/// validateDestination: host (`invalid destination host *` [istio.destination-wildcard-host] or
/// a wildcard domain), subset name, port selector.
void validateDestination(ValidationContext &context, const Field &destination);

} // namespace meshcraft::core::config::detail
