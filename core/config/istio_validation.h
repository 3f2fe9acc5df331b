// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/config/resource.h"

#include <string>
#include <vector>

namespace meshcraft::core::config {

/// Options for the webhook validator.
struct IstioValidationOptions
{
    /// The namespace an object without `metadata.namespace` lands in (kubectl's `-n`, else
    /// "default"). exportTo and Sidecar egress hosts (`./x`) resolve `.` against it.
    std::string defaultNamespace = "default";
};

/// Istio's validating webhook (`validation.istio.io`, `pkg/config/validation` of current Istio)
/// for ServiceEntry, Gateway, DestinationRule, VirtualService and Sidecar, per
/// istio-behaviour.md §5.0–§5.5. Kubernetes kinds get no diagnostics.
///
/// Returns every error and warning, in the order Istio's webhook produces them (so a denial
/// can be printed as kubectl shows it, see kubectl_messages.h). Each diagnostic carries Istio's
/// own message text, a stable code (below), the resource's file, the 1-based line and column of
/// the node that is wrong (for a missing field: its parent), and the field path
/// (`spec.ports[0].name`).
///
/// The CRD schema's structural rules (types, enums, required fields, bounds, unknown fields,
/// CEL) are not checked here. A value of the wrong type makes the rules that need it skip
/// quietly: the schema layer reports it. Never throws.
///
/// Meshcraft's decisions that show here: the simulated mesh has no IP auto-allocation, so an
/// address-less ServiceEntry with a TCP (or unset-protocol) port gets Istio's
/// `addresses are required ...` warning; Go's map order is replaced by document order; Go's %v
/// of a proto Port prints its fields with single spaces.
///
/// Codes, one per rule (E = error, W = warning):
///
/// Shared primitives (§5.0)
///   istio.invalid-port               E `port number %d must be in the range 1..65535`
///   istio.invalid-port-name          E `invalid port name: %s` (DNS-1123 label)
///   istio.unsupported-protocol       E `unsupported protocol: %s` (ServiceEntry, Sidecar)
///   istio.invalid-gateway-protocol   E `invalid protocol %q, supported protocols are HTTP, ...`
///   istio.empty-domain               E `empty domain name not allowed`
///   istio.domain-too-long            E `domain name %q too long (max 255)`
///   istio.invalid-domain-label       E `domain name %q invalid (label %q invalid)`
///   istio.numeric-tld                E `domain name %q invalid (top level domain %q cannot be
///                                      all-numeric)` (so an IP in ServiceEntry/DR hosts)
///   istio.partial-wildcard           W on ServiceEntry hosts, E on Gateway/Sidecar hosts:
///                                      `partial wildcard %q not allowed`
///   istio.invalid-address            E `%v is not a valid IP`
///   istio.invalid-cidr               E `%v is not a valid CIDR block`
///   istio.invalid-unix-address       E `unix address must not be empty`,
///                                      `%s is not an absolute path to a file`
///   istio.empty-subset-name          E `subset name cannot be empty`
///   istio.invalid-subset-name        E `subset name is invalid: %s`
///   istio.duplicate-export-to        E `duplicate entries in exportTo for entry %s` (and the
///                                      `. and current namespace %s` form)
///   istio.invalid-export-to          E `only .,*,~, or a valid DNS 1123 label is allowed as
///                                      exportTo entry`
///   istio.export-to-none             E `exportTo ~ (none) is not allowed for Istio configuration
///                                      objects` (all kinds but ServiceEntry)
///   istio.mixed-public-export-to     E `cannot have both public (*) and non-public exportTo
///                                      values for a resource`
///   istio.mixed-none-export-to       E `cannot export service entry to no one (~) and someone`
///   istio.invalid-label-key          E `invalid tag key: %q` (and its too-long forms)
///   istio.invalid-label-value        E `invalid tag value: %q`
///   istio.selector-empty-key         E `empty key is not supported in selector: %q`
///   istio.selector-wildcard          E `wildcard is not supported in selector: %q`
///   istio.selector-without-labels    W `... workload selector specified without labels ...`
///   istio.short-host-name            E `short names (non FQDN) are not allowed`
///   istio.host-not-namespaced        E `host must be of form namespace/dnsName` (Sidecar)
///   istio.empty-host-part            E `config namespace and dnsName in host entry cannot be
///                                      empty`
///   istio.invalid-host-namespace     E `invalid namespace value %q in gateway` / `in sidecar`
///   istio.destination-wildcard-host  E `invalid destination host *`
///
/// ServiceEntry (§5.1)
///   istio.se-missing-hosts           E `service entry must have at least one host`
///   istio.se-wildcard-host           E `invalid host *`
///   istio.cidr-resolution            E `CIDR addresses are allowed only for NONE/STATIC
///                                      resolution types`
///   istio.se-null-port               E `service entry port may not be null`, `ports cannot be nil`
///   istio.duplicate-port-name        E `service entry port name %q already defined`
///   istio.duplicate-port-number      E `service entry port %d already defined`
///   istio.target-port-ignored        W `targetPort has no effect when resolution mode is NONE`
///   istio.addresses-required         W `addresses are required for ports serving TCP (or unset)
///                                      protocol when IP Autoallocation is not enabled`
///   istio.selector-and-endpoints     E `only one of WorkloadSelector or Endpoints is allowed in
///                                      Service Entry`
///   istio.none-endpoints             E `no endpoints should be provided for resolution type none`
///   istio.selector-with-resolution   W `workloadSelector should not be set when resolution mode
///                                      is %v`
///   istio.endpoint-null              E `endpoint cannot be nil`
///   istio.endpoint-address-required  E `address is required` (STATIC)
///   istio.endpoint-address-unset     W `address is unset with network %q` (STATIC)
///   istio.endpoint-not-ip            E `endpoint address %q is not a valid IP address` (STATIC)
///   istio.unix-endpoint-ports        E `unix endpoint %s must not include ports`
///   istio.unix-endpoint-port-count   E `exactly 1 service port required for unix endpoints`
///   istio.endpoint-port-undefined    E `endpoint port %v is not defined by the service entry`
///   istio.endpoint-address           E `endpoint address %q is not a valid FQDN or an IP address`
///   istio.host-not-fqdn              E `hosts must be FQDN or contain only prefix wildcards if no
///                                      endpoints are provided for resolution mode %s, %v`
///   istio.dns-round-robin-endpoints  E `there must only be 0 or 1 endpoint for resolution mode
///                                      DNS_ROUND_ROBIN`
///   istio.multiple-hosts-address-tcp W `service entry can not have more than one host specified
///                                      simultaneously with address and tcp port`
///   istio.dynamic-dns-host           E `host must be wildcarded for resolution mode DYNAMIC_DNS`
///   istio.dynamic-dns-addresses      E addresses with DYNAMIC_DNS (wording ours)
///   istio.dynamic-dns-endpoints      E endpoints with DYNAMIC_DNS (wording ours)
///   istio.dynamic-dns-protocol       E `only HTTP, TLS, GRPC, and HTTP2 protocols are supported
///                                      for resolution type DYNAMIC_DNS`
///   istio.unsupported-resolution     E `unsupported resolution type %s`
///   istio.multiple-hosts-non-http    E `multiple hosts provided with non-HTTP, non-TLS ports`
///
/// Gateway (§5.2)
///   istio.invalid-gateway-name       E `invalid gateway name: %q`
///   istio.gateway-missing-servers    E `gateway must have at least one server`
///   istio.server-null                E `cannot have nil server`, `server may not be nil`
///   istio.server-missing-hosts       E `server config must contain at least one host`
///   istio.server-missing-port        E `port is required`
///   istio.gateway-target-port        E `targetPort has no impact on Gateways`
///   istio.port-name-required         E `port name must be set: %v`
///   istio.duplicate-server-port-name E `port names in servers must be unique: duplicate name %s`
///   istio.unix-bind-port             E `port number must be 0 for unix domain socket: %v`
///   istio.server-tls-required        E `server must have TLS settings for HTTPS/TLS protocols`
///   istio.server-tls-not-allowed     E `server cannot have TLS settings for non HTTPS/TLS ports`
///   istio.server-tls-plain-http      E `server cannot have TLS settings for plain text HTTP ports`
///   istio.tls-missing-certificate    E `SIMPLE TLS requires a server certificate`, `... private
///                                      key`, `MUTUAL TLS requires a client CA bundle` ...
///   istio.tls-istio-mutual-certificates E `ISTIO_MUTUAL TLS cannot have associated ...`
///   istio.tls-passthrough-certificates  W `%v mode does not use certificates, they will be
///                                         ignored`
///   istio.tls-crl                    E `CRL is not supported with ...`
///   istio.https-redirect-non-http    W `tls.httpsRedirect should only be used with http servers`
///
/// DestinationRule (§5.3)
///   istio.empty-traffic-policy       E `traffic policy must have at least one field`
///   istio.tunnel-and-proxy-protocol  E `tunnel and proxyProtocol must not be set together`
///   istio.null-traffic-policy        E `traffic policy may not be null`
///   istio.port-traffic-policy-port   E `portTrafficPolicy must have valid port`
///   istio.empty-port-traffic-policy  E `port traffic policy must have at least one field`
///   istio.subset-null                E `subset may not be null`
///   istio.duplicate-subset-name      E `duplicate subset names: %s`
///   istio.selector-export-to         E `destination rule with workload selector cannot have
///                                      exportTo beyond current namespace` (and `... multiple
///                                      entries in exportTo`)
///
/// VirtualService (§5.4)
///   istio.delegate-gateways          E `delegate virtual service must have no gateways specified`
///   istio.delegate-tls               E `delegate virtual service must have no tls route specified`
///   istio.delegate-tcp               E `delegate virtual service must have no tcp route specified`
///   istio.vs-mesh-wildcard-host      E `wildcard host * is not allowed for virtual services bound
///                                      to the mesh gateway`
///   istio.duplicate-vs-host          E `duplicate hosts in virtual service: %s & %s`
///   istio.vs-no-routes               E `http, tcp or tls must be provided in virtual service`
///   istio.legacy-gateway-name        W `using legacy gatewayName format %q; prefer the
///                                      <namespace>/<name> format: %q`
///   istio.empty-gateway-name-part    E `config namespace and gateway name cannot be empty`
///   istio.invalid-gateway-namespace  E `invalid value for namespace: %q`
///   istio.invalid-gateway-reference  E `invalid value for gateway name: %q`
///   istio.null-route                 E `http route may not be null`
///   istio.null-match                 E `tcp match may not be nil`, `TLS match may not be null`
///   istio.tcp-route-required         E `TCP route is required`
///   istio.tls-route-match-required   E `TLS route must have at least one match condition`
///   istio.tls-match-sni-required     E `TLS match must have at least one SNI host`
///   istio.sni-host-not-in-hosts      E `SNI host %q is not a compatible subset of any of the
///                                      virtual service hosts: [%s]`
///   istio.sni-ip-address             W `using an IP address (%q) goes against SNI spec ...`
///   istio.tls-route-required         E `TLS route is required`
///   istio.null-route-destination     E `weight may not be nil`
///   istio.destination-required       E `destination is required`
///   istio.negative-weight            E `weight %d < 0`
///   istio.zero-total-weight          E `total destination weight = 0`
///   istio.invalid-source-namespace   E `sourceNamespace match %s is invalid`
///   istio.vs-unreachable-rule        W `virtualService rule %v not used (%s)`
///   istio.vs-ineffective-match       W `virtualService rule %v match %v is not used
///                                      (duplicate/overlapping match in rule %v)`
///
/// Sidecar (§5.5)
///   istio.sidecar-empty              E `sidecar: empty configuration provided`
///   istio.sidecar-null-listener      E `sidecar: ingress may not be null`, `egress listener may
///                                      not be null`
///   istio.sidecar-ingress-port-required E `sidecar: port is required for ingress listeners`
///   istio.sidecar-target-port        E `targetPort has no impact on Sidecars`
///   istio.sidecar-duplicate-port     E `sidecar: ports on IP bound listeners must be unique`
///   istio.sidecar-default-endpoint   E `sidecar: defaultEndpoint must be of form ...` and the
///                                      address and port parse errors
///   istio.sidecar-ingress-tls        E `sidecar: credentialName is not currently supported`,
///                                      `configuration is invalid: cannot set mode to %s in
///                                      sidecar ingress tls`, ...
///   istio.sidecar-http-pool          W `sidecar: HTTP connection pool settings are configured
///                                      for port %d (%q) but its protocol is not HTTP ...`
///   istio.sidecar-catch-all-not-last E `sidecar: the egress listener with empty port should be
///                                      the last listener in the list`
///   istio.sidecar-multiple-catch-all E `sidecar: egress can have only one listener with empty
///                                      port`
///   istio.sidecar-uds-bind           E `sidecar: ports with 0 value must have a unix domain
///                                      socket bind address`
///   istio.sidecar-uds-capture-mode   E `sidecar: captureMode must be DEFAULT/NONE for unix domain
///                                      socket listeners`
///   istio.sidecar-duplicate-uds      E `sidecar: unix domain socket values for listeners must be
///                                      unique`
///   istio.sidecar-egress-no-hosts    E `sidecar: egress listener must contain at least one host`
///   istio.sidecar-duplicate-egress-host W `duplicated egress host: %s`
///   istio.sidecar-select-all-host    W ``*/*` host select all resources, no other hosts can be
///                                      added`
///   istio.sidecar-dynamic-dns-mode   E `sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only supported in
///                                      MeshConfig, not in Sidecar resource`
///   istio.sidecar-egress-proxy-mode  E `sidecar: egress_proxy must be set only with ALLOW_ANY
///                                      outbound_traffic_policy mode`
///   istio.sidecar-egress-proxy-port  E `sidecar: egress_proxy port must be non-nil`
common::Diagnostics validateIstioResource(const Resource &resource,
                                          const IstioValidationOptions &options = {});

/// validateIstioResource over several resources, concatenated in order.
common::Diagnostics validateIstioResources(const std::vector<Resource> &resources,
                                           const IstioValidationOptions &options = {});

} // namespace meshcraft::core::config
