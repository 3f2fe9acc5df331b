// SPDX-License-Identifier: GPL-3.0-or-later
// Istio's validating webhook rules (istio-behaviour.md §5): one valid and one invalid row per
// rule, positions and paths, the workshop's files as golden files, and kubectl's rendering.
#include "core/config/istio_validation.h"
#include "core/config/kubectl_messages.h"
#include "core/config/resource.h"

#include <QtTest>

using namespace meshcraft::core;
using namespace meshcraft::core::config;

namespace {

// A whole Istio document around a spec written as YAML (block or flow).
QString doc(const QString &kind, const QString &spec, const QString &name = QStringLiteral("x"))
{
    QString out = QStringLiteral("apiVersion: networking.istio.io/v1\nkind: %1\nmetadata:\n"
                                 "  name: %2\n  namespace: default\n")
                      .arg(kind, name);
    if (spec.isEmpty()) {
        return out + QStringLiteral("spec: {}\n");
    }
    out += QStringLiteral("spec:\n");
    for (const QString &line : spec.split(QLatin1Char('\n'))) {
        if (!line.isEmpty()) {
            out += QStringLiteral("  ") + line + QLatin1Char('\n');
        }
    }
    return out;
}

QString se(const QString &spec)
{
    return doc(QStringLiteral("ServiceEntry"), spec);
}
QString gw(const QString &spec, const QString &name = QStringLiteral("egress"))
{
    return doc(QStringLiteral("Gateway"), spec, name);
}
QString dr(const QString &spec)
{
    return doc(QStringLiteral("DestinationRule"), spec);
}
QString vs(const QString &spec)
{
    return doc(QStringLiteral("VirtualService"), spec);
}
QString sc(const QString &spec)
{
    return doc(QStringLiteral("Sidecar"), spec);
}

// Building blocks for short rows.
const QString SePort = QStringLiteral("ports: [{number: 6379, name: tcp-redis, protocol: TCP}]");
const QString SeBase =
    QStringLiteral("hosts: [redis.domain]\naddresses: [10.59.118.59]\n") + SePort;
const QString GwServer =
    QStringLiteral("servers:\n- port: {number: 6379, name: tcp-redis, protocol: TCP}\n"
                   "  hosts: [redis.domain]");
const QString TcpRoute =
    QStringLiteral("tcp:\n- route:\n  - destination: {host: redis.domain, port: {number: 6379}}");

common::Diagnostics validateText(const QString &yaml, const std::string &file = "t.yaml")
{
    const ParseResult parsed = parseResources(yaml.toStdString(), file);
    common::Diagnostics out = parsed.diagnostics;
    const common::Diagnostics webhook = validateIstioResources(parsed.resources);
    out.insert(out.end(), webhook.begin(), webhook.end());
    return out;
}

QString dump(const common::Diagnostics &diagnostics)
{
    QString out;
    for (const common::Diagnostic &d : diagnostics) {
        out += QString::fromStdString(d.toString() + "  {" + d.path + "}\n");
    }
    return out;
}

} // namespace

class tst_Webhook : public QObject
{
    Q_OBJECT

private slots:
    void rules_data();
    void rules();
    void workshopServiceEntryPlaceholder();
    void workshopServiceEntryIsClean();
    void workshopGatewayAndDestinationRuleHaveNoWebhookFindings();
    void missingFieldPointsAtParent();
    void wrongTypesAreSkipped_data();
    void wrongTypesAreSkipped();
    void diagnosticsKeepIstioOrder();
    void kubernetesKindsAreNotValidated();
    void golden_data();
    void golden();
    void kubectlSingleError();
    void kubectlMultipleErrors();
    void kubectlVerbs();
    void kubectlWarnings();
    void kubectlNothingToDeny();
};

// Each rule has a valid row (the object is clean: no error at all, and not this rule's code)
// and an invalid row (this code, with Istio's exact message and severity).
void tst_Webhook::rules_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message"); // empty: the valid row
    QTest::addColumn<QString>("severity");

    const auto valid = [](const char *rule, const QString &yaml) {
        QTest::addRow("%s/valid", rule)
            << yaml << QStringLiteral("istio.%1").arg(rule) << QString() << QString();
    };
    const auto invalid = [](const char *rule, const QString &yaml, const QString &message) {
        QTest::addRow("%s/invalid", rule)
            << yaml << QStringLiteral("istio.%1").arg(rule) << message << QStringLiteral("error");
    };
    const auto warned = [](const char *rule, const QString &yaml, const QString &message) {
        QTest::addRow("%s/warning", rule)
            << yaml << QStringLiteral("istio.%1").arg(rule) << message << QStringLiteral("warning");
    };
    const auto seWith = [](const QString &extra) { return se(SeBase + "\n" + extra); };

    // ---- §5.0 shared primitives -----------------------------------------------------------
    valid("invalid-port", se(SeBase));
    invalid("invalid-port",
            se("hosts: [redis.domain]\naddresses: [10.59.118.59]\n"
               "ports: [{number: 70000, name: tcp-redis, protocol: TCP}]"),
            "port number 70000 must be in the range 1..65535");
    valid("invalid-port-name", se(SeBase));
    invalid("invalid-port-name",
            se("hosts: [redis.domain]\naddresses: [10.59.118.59]\n"
               "ports: [{number: 6379, name: tcp_redis, protocol: TCP}]"),
            "invalid port name: tcp_redis");
    valid("unsupported-protocol", se("hosts: [redis.domain]\naddresses: [10.59.118.59]\n"
                                     "ports: [{number: 6379, name: tcp-redis, protocol: tcp}]"));
    invalid("unsupported-protocol",
            se("hosts: [redis.domain]\naddresses: [10.59.118.59]\n"
               "ports: [{number: 6379, name: tcp-redis, protocol: tcp-redis}]"),
            "unsupported protocol: tcp-redis");
    valid("invalid-gateway-protocol",
          gw("servers:\n- port: {number: 6379, name: tcp-redis, protocol: redis}\n"
             "  hosts: [redis.domain]"));
    invalid("invalid-gateway-protocol",
            gw("servers:\n- port: {number: 6379, name: tcp-redis, protocol: SCTP}\n"
               "  hosts: [redis.domain]"),
            "invalid protocol \"SCTP\", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, "
            "MONGO, REDIS, MYSQL, TCP");
    valid("empty-domain", dr("host: redis.domain"));
    invalid("empty-domain", dr("host: \"\""), "empty domain name not allowed");
    const QString longHost = QString(QLatin1Char('a')).repeated(62) + "." +
                             QString(QLatin1Char('b')).repeated(62) + "." +
                             QString(QLatin1Char('c')).repeated(62) + "." +
                             QString(QLatin1Char('d')).repeated(62) + ".example.com";
    valid("domain-too-long", dr("host: " + longHost.mid(63)));
    invalid("domain-too-long", dr("host: " + longHost),
            "domain name \"" + longHost + "\" too long (max 255)");
    valid("invalid-domain-label", se(SeBase));
    invalid("invalid-domain-label",
            se("hosts: [redis_cache.domain]\naddresses: [10.59.118.59]\n" + SePort),
            "domain name \"redis_cache.domain\" invalid (label \"redis_cache\" invalid)");
    valid("numeric-tld", se(SeBase));
    // ValidateWildcardDomain checks the labels after the first one, so Istio's message quotes
    // the name without its first label.
    invalid("numeric-tld", se("hosts: [10.59.118.59]\naddresses: [10.59.118.59]\n" + SePort),
            "domain name \"59.118.59\" invalid (top level domain \"59\" cannot be all-numeric)");
    valid("partial-wildcard",
          se("hosts: [\"*.redis.domain\"]\naddresses: [10.59.118.59]\n" + SePort));
    warned("partial-wildcard",
           se("hosts: [\"*redis.domain\"]\naddresses: [10.59.118.59]\n" + SePort),
           "partial wildcard \"*redis.domain\" not allowed");
    QTest::addRow("partial-wildcard/gateway-error")
        << gw("servers:\n- port: {number: 6379, name: tcp-redis, protocol: TCP}\n"
              "  hosts: [\"*redis.domain\"]")
        << "istio.partial-wildcard"
        << "partial wildcard \"*redis.domain\" not allowed"
        << "error";
    valid("invalid-address", se(SeBase));
    invalid("invalid-address", se("hosts: [redis.domain]\naddresses: [REDIS_ENDPOINT]\n" + SePort),
            "REDIS_ENDPOINT is not a valid IP");
    QTest::addRow("invalid-address/leading-zero")
        << se("hosts: [redis.domain]\naddresses: [10.059.118.59]\n" + SePort)
        << "istio.invalid-address"
        << "10.059.118.59 is not a valid IP"
        << "error";
    QTest::addRow("invalid-address/ipv6-valid")
        << se("hosts: [redis.domain]\naddresses: [\"2001:db8::1\"]\n" + SePort)
        << "istio.invalid-address" << QString() << QString();
    valid("invalid-cidr", se("hosts: [redis.domain]\naddresses: [10.59.0.0/16]\n" + SePort));
    invalid("invalid-cidr", se("hosts: [redis.domain]\naddresses: [10.59.0.0/33]\n" + SePort),
            "10.59.0.0/33 is not a valid CIDR block");
    valid("invalid-unix-address",
          gw("servers:\n- port: {number: 0, name: tcp-redis, protocol: TCP}\n"
             "  bind: unix:///var/run/redis.sock\n  hosts: [redis.domain]"));
    invalid("invalid-unix-address",
            gw("servers:\n- port: {number: 0, name: tcp-redis, protocol: TCP}\n"
               "  bind: unix://run/redis.sock\n  hosts: [redis.domain]"),
            "run/redis.sock is not an absolute path to a file");
    valid("empty-subset-name", dr("host: redis.domain\nsubsets: [{name: v1}]"));
    invalid("empty-subset-name", dr("host: redis.domain\nsubsets: [{name: \"\"}]"),
            "subset name cannot be empty");
    valid("invalid-subset-name", dr("host: redis.domain\nsubsets: [{name: redis-serviceentry}]"));
    invalid("invalid-subset-name", dr("host: redis.domain\nsubsets: [{name: redis.v1}]"),
            "subset name is invalid: redis.v1");
    valid("duplicate-export-to", seWith("exportTo: [\".\", istio-system]"));
    invalid("duplicate-export-to", seWith("exportTo: [default, \".\"]"),
            "duplicate entries in exportTo: . and current namespace default");
    QTest::addRow("duplicate-export-to/same-entry")
        << seWith("exportTo: [istio-system, istio-system]") << "istio.duplicate-export-to"
        << "duplicate entries in exportTo for entry istio-system"
        << "error";
    valid("invalid-export-to", dr("host: redis.domain\nexportTo: [istio-system]"));
    invalid("invalid-export-to", dr("host: redis.domain\nexportTo: [Istio_System]"),
            "only .,*,~, or a valid DNS 1123 label is allowed as exportTo entry");
    valid("export-to-none", seWith("exportTo: [\"~\"]"));
    invalid("export-to-none", dr("host: redis.domain\nexportTo: [\"~\"]"),
            "exportTo ~ (none) is not allowed for Istio configuration objects");
    valid("mixed-public-export-to", dr("host: redis.domain\nexportTo: [\"*\"]"));
    invalid("mixed-public-export-to", dr("host: redis.domain\nexportTo: [\"*\", \".\"]"),
            "cannot have both public (*) and non-public exportTo values for a resource");
    valid("mixed-none-export-to", seWith("exportTo: [\".\"]"));
    invalid("mixed-none-export-to", seWith("exportTo: [\"~\", \".\"]"),
            "cannot export service entry to no one (~) and someone");
    valid("invalid-label-key",
          dr("host: redis.domain\nsubsets: [{name: v1, labels: {app.kubernetes.io/name: redis}}]"));
    invalid("invalid-label-key",
            dr("host: redis.domain\nsubsets: [{name: v1, labels: {-app: redis}}]"),
            "invalid tag key: \"-app\"");
    valid("invalid-label-value",
          dr("host: redis.domain\nsubsets: [{name: v1, labels: {version: v1.2_3}}]"));
    invalid("invalid-label-value",
            dr("host: redis.domain\nsubsets: [{name: v1, labels: {version: -v1}}]"),
            "invalid tag value: \"-v1\"");
    valid("selector-empty-key", sc("workloadSelector: {labels: {app: redis}}\n"
                                   "egress: [{hosts: [\"./*\"]}]"));
    invalid("selector-empty-key",
            sc("workloadSelector: {labels: {\"\": redis}}\negress: [{hosts: [\"./*\"]}]"),
            "empty key is not supported in selector: \"=redis\"");
    valid("selector-wildcard",
          se("hosts: [redis.domain]\naddresses: [10.59.118.59]\n" + SePort +
             "\nresolution: STATIC\nworkloadSelector: {labels: {app: redis}}"));
    invalid("selector-wildcard",
            se("hosts: [redis.domain]\naddresses: [10.59.118.59]\n" + SePort +
               "\nresolution: STATIC\nworkloadSelector: {labels: {app: \"*\"}}"),
            "wildcard is not supported in selector: \"app=*\"");
    valid("selector-without-labels",
          dr("host: redis.domain\nworkloadSelector: {matchLabels: {app: redis}}"));
    warned("selector-without-labels", dr("host: redis.domain\nworkloadSelector: {}"),
           "workload selector specified without labels");
    QTest::addRow("selector-without-labels/serviceentry")
        << se(SeBase + "\nresolution: STATIC\nworkloadSelector: {}")
        << "istio.selector-without-labels"
        << "service entry: workload selector specified without labels, will be applied to all "
           "services in namespace"
        << "warning";
    valid("short-host-name", gw(GwServer));
    invalid("short-host-name",
            gw("servers:\n- port: {number: 6379, name: tcp-redis, protocol: TCP}\n"
               "  hosts: [redis]"),
            "short names (non FQDN) are not allowed");
    QTest::addRow("short-host-name/gateway-ip-allowed")
        << gw("servers:\n- port: {number: 6379, name: tcp-redis, protocol: TCP}\n"
              "  hosts: [10.59.118.59]")
        << "istio.numeric-tld" << QString() << QString();
    valid("host-not-namespaced", sc("egress: [{hosts: [istio-system/redis.domain]}]"));
    invalid("host-not-namespaced", sc("egress: [{hosts: [redis.domain]}]"),
            "host must be of form namespace/dnsName");
    valid("empty-host-part", sc("egress: [{hosts: [\"*/redis.domain\"]}]"));
    invalid("empty-host-part", sc("egress: [{hosts: [istio-system/]}]"),
            "config namespace and dnsName in host entry cannot be empty");
    valid("invalid-host-namespace",
          gw("servers:\n- port: {number: 6379, name: tcp-redis, protocol: TCP}\n"
             "  hosts: [istio-system/redis.domain]"));
    invalid("invalid-host-namespace",
            gw("servers:\n- port: {number: 6379, name: tcp-redis, protocol: TCP}\n"
               "  hosts: [Istio_System/redis.domain]"),
            "invalid namespace value \"Istio_System\" in gateway");
    valid("destination-wildcard-host", vs("hosts: [redis.domain]\n" + TcpRoute));
    invalid("destination-wildcard-host",
            vs("hosts: [redis.domain]\ntcp:\n- route:\n  - destination: {host: \"*\"}"),
            "invalid destination host *");

    // ---- §5.1 ServiceEntry ----------------------------------------------------------------
    valid("se-missing-hosts", se(SeBase));
    invalid("se-missing-hosts", se("addresses: [10.59.118.59]\n" + SePort),
            "service entry must have at least one host");
    valid("se-wildcard-host", se("hosts: [\"*.domain\"]\naddresses: [10.59.118.59]\n" + SePort));
    invalid("se-wildcard-host", se("hosts: [\"*\"]\naddresses: [10.59.118.59]\n" + SePort),
            "invalid host *");
    valid("cidr-resolution", se("hosts: [redis.domain]\naddresses: [10.59.118.0/24]\n" + SePort +
                                "\nresolution: STATIC"));
    invalid(
        "cidr-resolution",
        se("hosts: [redis.domain]\naddresses: [10.59.118.0/24]\n" + SePort + "\nresolution: DNS"),
        "CIDR addresses are allowed only for NONE/STATIC resolution types");
    valid("se-null-port", se(SeBase));
    invalid("se-null-port", se("hosts: [redis.domain]\naddresses: [10.59.118.59]\nports: [~]"),
            "service entry port may not be null");
    valid("duplicate-port-name", se("hosts: [redis.domain]\naddresses: [10.59.118.59]\nports:\n"
                                    "- {number: 6379, name: tcp-redis, protocol: TCP}\n"
                                    "- {number: 6380, name: tcp-redis-tls, protocol: TLS}"));
    invalid("duplicate-port-name",
            se("hosts: [redis.domain]\naddresses: [10.59.118.59]\nports:\n"
               "- {number: 6379, name: tcp-redis, protocol: TCP}\n"
               "- {number: 6380, name: tcp-redis, protocol: TLS}"),
            "service entry port name \"tcp-redis\" already defined");
    valid("duplicate-port-number", se(SeBase));
    invalid("duplicate-port-number",
            se("hosts: [redis.domain]\naddresses: [10.59.118.59]\nports:\n"
               "- {number: 6379, name: tcp-redis, protocol: TCP}\n"
               "- {number: 6379, name: redis, protocol: TCP}"),
            "service entry port 6379 already defined");
    valid("target-port-ignored",
          se("hosts: [redis.domain]\naddresses: [10.59.118.59]\n"
             "ports: [{number: 6379, name: tcp-redis, protocol: TCP, targetPort: 6380}]\n"
             "resolution: STATIC\nendpoints: [{address: 10.59.118.59}]"));
    warned("target-port-ignored",
           se("hosts: [redis.domain]\naddresses: [10.59.118.59]\n"
              "ports: [{number: 6379, name: tcp-redis, protocol: TCP, targetPort: 6380}]"),
           "targetPort has no effect when resolution mode is NONE");
    valid("addresses-required", se(SeBase));
    warned("addresses-required", se("hosts: [redis.domain]\n" + SePort),
           "addresses are required for ports serving TCP (or unset) protocol when IP "
           "Autoallocation is not enabled");
    valid("selector-and-endpoints",
          se(SeBase + "\nresolution: STATIC\nendpoints: [{address: 10.59.118.59}]"));
    invalid("selector-and-endpoints",
            se(SeBase + "\nresolution: STATIC\nendpoints: [{address: 10.59.118.59}]\n"
                        "workloadSelector: {labels: {app: redis}}"),
            "only one of WorkloadSelector or Endpoints is allowed in Service Entry");
    valid("none-endpoints", se(SeBase + "\nresolution: NONE"));
    invalid("none-endpoints",
            se(SeBase + "\nresolution: NONE\nendpoints: [{address: 10.59.118.59}]"),
            "no endpoints should be provided for resolution type none");
    valid("selector-with-resolution", se(SeBase + "\nresolution: STATIC\n"
                                                  "workloadSelector: {labels: {app: redis}}"));
    warned("selector-with-resolution", se(SeBase + "\nworkloadSelector: {labels: {app: redis}}"),
           "workloadSelector should not be set when resolution mode is NONE");
    valid("endpoint-null",
          se(SeBase + "\nresolution: STATIC\nendpoints: [{address: 10.59.118.59}]"));
    invalid("endpoint-null", se(SeBase + "\nresolution: STATIC\nendpoints: [~]"),
            "endpoint cannot be nil");
    valid("endpoint-address-required",
          se(SeBase + "\nresolution: STATIC\nendpoints: [{address: 10.59.118.59}]"));
    invalid("endpoint-address-required",
            se(SeBase + "\nresolution: STATIC\nendpoints: [{labels: {app: redis}}]"),
            "address is required");
    valid("endpoint-address-unset",
          se(SeBase + "\nresolution: STATIC\nendpoints: [{address: 10.59.118.59, network: n1}]"));
    warned("endpoint-address-unset",
           se(SeBase + "\nresolution: STATIC\nendpoints: [{network: n1}]"),
           "address is unset with network \"n1\"");
    valid("endpoint-not-ip",
          se(SeBase + "\nresolution: STATIC\nendpoints: [{address: 10.59.118.59}]"));
    invalid("endpoint-not-ip",
            se(SeBase + "\nresolution: STATIC\nendpoints: [{address: redis.domain}]"),
            "endpoint address \"redis.domain\" is not a valid IP address");
    valid("unix-endpoint-ports",
          se(SeBase +
             "\nresolution: STATIC\nendpoints: [{address: \"unix:///var/run/redis.sock\"}]"));
    invalid("unix-endpoint-ports",
            se(SeBase +
               "\nresolution: STATIC\n"
               "endpoints: [{address: \"unix:///var/run/redis.sock\", ports: {tcp-redis: 6379}}]"),
            "unix endpoint unix:///var/run/redis.sock must not include ports");
    valid("unix-endpoint-port-count",
          se(SeBase +
             "\nresolution: STATIC\nendpoints: [{address: \"unix:///var/run/redis.sock\"}]"));
    invalid("unix-endpoint-port-count",
            se("hosts: [redis.domain]\naddresses: [10.59.118.59]\nports:\n"
               "- {number: 6379, name: tcp-redis, protocol: TCP}\n"
               "- {number: 6380, name: tls-redis, protocol: TLS}\nresolution: STATIC\n"
               "endpoints: [{address: \"unix:///var/run/redis.sock\"}]"),
            "exactly 1 service port required for unix endpoints");
    valid("endpoint-port-undefined",
          se(SeBase + "\nresolution: STATIC\n"
                      "endpoints: [{address: 10.59.118.59, ports: {tcp-redis: 16379}}]"));
    invalid("endpoint-port-undefined",
            se(SeBase + "\nresolution: STATIC\n"
                        "endpoints: [{address: 10.59.118.59, ports: {redis: 16379}}]"),
            "endpoint port 16379 is not defined by the service entry");
    valid("endpoint-address",
          se("hosts: [redis.domain]\nports: [{number: 6379, name: tcp-redis, protocol: TLS}]\n"
             "resolution: DNS\nendpoints: [{address: redis.internal.example.com}]"));
    invalid("endpoint-address",
            se("hosts: [redis.domain]\nports: [{number: 6379, name: tcp-redis, protocol: TLS}]\n"
               "resolution: DNS\nendpoints: [{address: redis_primary}]"),
            "endpoint address \"redis_primary\" is not a valid FQDN or an IP address");
    valid(
        "host-not-fqdn",
        se("hosts: [\"*.redis.domain\"]\nports: [{number: 6379, name: tls-redis, protocol: TLS}]\n"
           "resolution: DNS"));
    invalid(
        "host-not-fqdn",
        se("hosts: [\"*redis.domain\"]\nports: [{number: 6379, name: tls-redis, protocol: TLS}]\n"
           "resolution: DNS"),
        "hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for "
        "resolution mode DNS, domain name \"*redis.domain\" invalid (label \"*redis\" invalid)");
    valid("dns-round-robin-endpoints",
          se("hosts: [redis.domain]\nports: [{number: 6379, name: tls-redis, protocol: TLS}]\n"
             "resolution: DNS_ROUND_ROBIN\nendpoints: [{address: redis.example.com}]"));
    invalid("dns-round-robin-endpoints",
            se("hosts: [redis.domain]\nports: [{number: 6379, name: tls-redis, protocol: TLS}]\n"
               "resolution: DNS_ROUND_ROBIN\n"
               "endpoints: [{address: a.example.com}, {address: b.example.com}]"),
            "there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN");
    valid("multiple-hosts-address-tcp",
          se("hosts: [redis.domain]\naddresses: [10.59.118.59]\n" + SePort + "\nresolution: DNS"));
    warned("multiple-hosts-address-tcp",
           se("hosts: [redis.domain, cache.domain]\naddresses: [10.59.118.59]\n" + SePort +
              "\nresolution: DNS"),
           "service entry can not have more than one host specified simultaneously with address "
           "and tcp port");
    valid("dynamic-dns-host",
          se("hosts: [\"*.example.com\"]\nports: [{number: 443, name: tls, protocol: TLS}]\n"
             "resolution: DYNAMIC_DNS"));
    invalid("dynamic-dns-host",
            se("hosts: [www.example.com]\nports: [{number: 443, name: tls, protocol: TLS}]\n"
               "resolution: DYNAMIC_DNS"),
            "host must be wildcarded for resolution mode DYNAMIC_DNS");
    valid("dynamic-dns-addresses",
          se("hosts: [\"*.example.com\"]\nports: [{number: 443, name: tls, protocol: TLS}]\n"
             "resolution: DYNAMIC_DNS"));
    invalid("dynamic-dns-addresses",
            se("hosts: [\"*.example.com\"]\naddresses: [10.0.0.1]\n"
               "ports: [{number: 443, name: tls, protocol: TLS}]\nresolution: DYNAMIC_DNS"),
            "addresses are not supported for resolution mode DYNAMIC_DNS");
    valid("dynamic-dns-endpoints",
          se("hosts: [\"*.example.com\"]\nports: [{number: 80, name: http, protocol: HTTP}]\n"
             "resolution: DYNAMIC_DNS"));
    invalid("dynamic-dns-endpoints",
            se("hosts: [\"*.example.com\"]\nports: [{number: 443, name: tls, protocol: TLS}]\n"
               "resolution: DYNAMIC_DNS\nendpoints: [{address: 10.0.0.1}]"),
            "endpoints are not supported for resolution mode DYNAMIC_DNS");
    valid("dynamic-dns-protocol",
          se("hosts: [\"*.example.com\"]\nports: [{number: 443, name: grpc, protocol: GRPC}]\n"
             "resolution: DYNAMIC_DNS"));
    invalid("dynamic-dns-protocol",
            se("hosts: [\"*.example.com\"]\nports: [{number: 6379, name: tcp, protocol: TCP}]\n"
               "resolution: DYNAMIC_DNS"),
            "only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type "
            "DYNAMIC_DNS");
    valid("unsupported-resolution", se(SeBase + "\nresolution: NONE"));
    invalid("unsupported-resolution", se(SeBase + "\nresolution: ROUND_ROBIN"),
            "unsupported resolution type ROUND_ROBIN");
    valid("multiple-hosts-non-http",
          se("hosts: [a.example.com, b.example.com]\n"
             "ports: [{number: 443, name: tls, protocol: TLS}]\nresolution: DNS"));
    invalid("multiple-hosts-non-http",
            se("hosts: [a.example.com, b.example.com]\n" + SePort + "\nresolution: DNS"),
            "multiple hosts provided with non-HTTP, non-TLS ports");

    // ---- §5.2 Gateway ---------------------------------------------------------------------
    valid("invalid-gateway-name", gw(GwServer, "istio-egressgateway"));
    invalid("invalid-gateway-name", gw(GwServer, "egress.gateway"),
            "invalid gateway name: \"egress.gateway\"");
    valid("gateway-missing-servers", gw(GwServer));
    invalid("gateway-missing-servers", gw("selector: {istio: egressgateway}"),
            "gateway must have at least one server");
    valid("server-null", gw(GwServer));
    invalid("server-null", gw("servers: [~]"), "cannot have nil server");
    QTest::addRow("server-null/port-name-pass") << gw("servers: [~]") << "istio.server-null"
                                                << "server may not be nil"
                                                << "error";
    valid("server-missing-hosts", gw(GwServer));
    invalid("server-missing-hosts",
            gw("servers:\n- port: {number: 6379, name: tcp-redis, protocol: TCP}"),
            "server config must contain at least one host");
    valid("server-missing-port", gw(GwServer));
    invalid("server-missing-port", gw("servers:\n- hosts: [redis.domain]"), "port is required");
    valid("gateway-target-port", gw(GwServer));
    invalid(
        "gateway-target-port",
        gw("servers:\n- port: {number: 6379, name: tcp-redis, protocol: TCP, targetPort: 16379}\n"
           "  hosts: [redis.domain]"),
        "targetPort has no impact on Gateways");
    valid("port-name-required", gw(GwServer));
    invalid("port-name-required",
            gw("servers:\n- port: {number: 6379, protocol: TCP}\n  hosts: [redis.domain]"),
            "port name must be set: number:6379 protocol:\"TCP\"");
    valid("duplicate-server-port-name",
          gw(GwServer + "\n- port: {number: 6380, name: tcp-redis-2, protocol: TCP}\n"
                        "  hosts: [redis.domain]"));
    invalid("duplicate-server-port-name",
            gw(GwServer + "\n- port: {number: 6380, name: tcp-redis, protocol: TCP}\n"
                          "  hosts: [redis.domain]"),
            "port names in servers must be unique: duplicate name tcp-redis");
    valid("unix-bind-port", gw("servers:\n- port: {number: 0, name: tcp-redis, protocol: TCP}\n"
                               "  bind: unix:///var/run/redis.sock\n  hosts: [redis.domain]"));
    invalid("unix-bind-port",
            gw("servers:\n- port: {number: 6379, name: tcp-redis, protocol: TCP}\n"
               "  bind: unix:///var/run/redis.sock\n  hosts: [redis.domain]"),
            "port number must be 0 for unix domain socket: number:6379 protocol:\"TCP\" "
            "name:\"tcp-redis\"");
    QTest::addRow("invalid-address/gateway-bind")
        << gw("servers:\n- port: {number: 6379, name: tcp-redis, protocol: TCP}\n"
              "  bind: localhost\n  hosts: [redis.domain]")
        << "istio.invalid-address"
        << "localhost is not a valid IP"
        << "error";
    const QString httpsServer =
        QStringLiteral("servers:\n- port: {number: 443, name: https, protocol: HTTPS}\n"
                       "  hosts: [redis.domain]\n");
    valid("server-tls-required",
          gw(httpsServer + "  tls: {mode: SIMPLE, credentialName: redis-cert}"));
    invalid("server-tls-required", gw(httpsServer),
            "server must have TLS settings for HTTPS/TLS protocols");
    valid("server-tls-not-allowed", gw(GwServer));
    invalid("server-tls-not-allowed", gw(GwServer + "\n  tls: {mode: SIMPLE, credentialName: c}"),
            "server cannot have TLS settings for non HTTPS/TLS ports");
    const QString httpServer =
        QStringLiteral("servers:\n- port: {number: 80, name: http, protocol: HTTP}\n"
                       "  hosts: [redis.domain]\n");
    valid("server-tls-plain-http", gw(httpServer + "  tls: {httpsRedirect: true}"));
    invalid("server-tls-plain-http", gw(httpServer + "  tls: {mode: SIMPLE, credentialName: c}"),
            "server cannot have TLS settings for plain text HTTP ports");
    valid("tls-missing-certificate",
          gw(httpsServer + "  tls: {mode: SIMPLE, serverCertificate: /etc/c.pem, "
                           "privateKey: /etc/k.pem}"));
    invalid("tls-missing-certificate",
            gw(httpsServer + "  tls: {mode: MUTUAL, serverCertificate: "
                             "/etc/c.pem, privateKey: /etc/k.pem}"),
            "MUTUAL TLS requires a client CA bundle");
    QTest::addRow("tls-missing-certificate/simple")
        << gw(httpsServer + "  tls: {mode: SIMPLE}") << "istio.tls-missing-certificate"
        << "SIMPLE TLS requires a server certificate"
        << "error";
    valid("tls-istio-mutual-certificates", gw(httpsServer + "  tls: {mode: ISTIO_MUTUAL}"));
    invalid("tls-istio-mutual-certificates",
            gw(httpsServer + "  tls: {mode: ISTIO_MUTUAL, credentialName: c}"),
            "ISTIO_MUTUAL TLS cannot have associated credentialName");
    const QString tlsServer =
        QStringLiteral("servers:\n- port: {number: 443, name: tls, protocol: TLS}\n"
                       "  hosts: [redis.domain]\n");
    valid("tls-passthrough-certificates", gw(tlsServer + "  tls: {mode: PASSTHROUGH}"));
    warned("tls-passthrough-certificates",
           gw(tlsServer + "  tls: {mode: PASSTHROUGH, serverCertificate: /etc/c.pem}"),
           "PASSTHROUGH mode does not use certificates, they will be ignored");
    valid("tls-crl",
          gw(httpsServer + "  tls: {mode: MUTUAL, serverCertificate: /c, privateKey: /k, "
                           "caCertificates: /ca, caCrl: /crl}"));
    invalid("tls-crl",
            gw(httpsServer + "  tls: {mode: SIMPLE, serverCertificate: /c, "
                             "privateKey: /k, caCrl: /crl}"),
            "CRL is not supported with SIMPLE TLS");
    valid("https-redirect-non-http", gw(httpServer + "  tls: {httpsRedirect: true}"));
    warned("https-redirect-non-http",
           gw(httpsServer + "  tls: {mode: SIMPLE, credentialName: c, httpsRedirect: true}"),
           "tls.httpsRedirect should only be used with http servers");

    // ---- §5.3 DestinationRule -------------------------------------------------------------
    valid("empty-traffic-policy",
          dr("host: redis.domain\ntrafficPolicy: {tls: {mode: ISTIO_MUTUAL}}"));
    invalid("empty-traffic-policy", dr("host: redis.domain\ntrafficPolicy: {}"),
            "traffic policy must have at least one field");
    QTest::addRow("empty-traffic-policy/subset")
        << dr("host: redis.domain\nsubsets: [{name: v1, trafficPolicy: {}}]")
        << "istio.empty-traffic-policy"
        << "traffic policy must have at least one field"
        << "error";
    valid("tunnel-and-proxy-protocol",
          dr("host: redis.domain\ntrafficPolicy: {proxyProtocol: {version: V1}}"));
    invalid("tunnel-and-proxy-protocol",
            dr("host: redis.domain\ntrafficPolicy: {proxyProtocol: {version: V1}, "
               "tunnel: {targetHost: redis.domain, targetPort: 6379}}"),
            "tunnel and proxyProtocol must not be set together");
    valid("null-traffic-policy", dr("host: redis.domain\ntrafficPolicy:\n  portLevelSettings:\n"
                                    "  - {port: {number: 6379}, tls: {mode: DISABLE}}"));
    invalid("null-traffic-policy",
            dr("host: redis.domain\ntrafficPolicy:\n  portLevelSettings: [~]"),
            "traffic policy may not be null");
    valid("port-traffic-policy-port",
          dr("host: redis.domain\ntrafficPolicy:\n  portLevelSettings:\n"
             "  - {port: {number: 6379}, tls: {mode: DISABLE}}"));
    invalid("port-traffic-policy-port",
            dr("host: redis.domain\ntrafficPolicy:\n  portLevelSettings:\n"
               "  - {tls: {mode: DISABLE}}"),
            "portTrafficPolicy must have valid port");
    valid("empty-port-traffic-policy",
          dr("host: redis.domain\ntrafficPolicy:\n  portLevelSettings:\n"
             "  - {port: {number: 6379}, connectionPool: {tcp: {maxConnections: 10}}}"));
    invalid("empty-port-traffic-policy",
            dr("host: redis.domain\ntrafficPolicy:\n  portLevelSettings:\n"
               "  - {port: {number: 6379}}"),
            "port traffic policy must have at least one field");
    valid("subset-null", dr("host: redis.domain\nsubsets: [{name: v1}]"));
    invalid("subset-null", dr("host: redis.domain\nsubsets: [~]"), "subset may not be null");
    valid("duplicate-subset-name", dr("host: redis.domain\nsubsets: [{name: v1}, {name: v2}]"));
    invalid("duplicate-subset-name", dr("host: redis.domain\nsubsets: [{name: v1}, {name: v1}]"),
            "duplicate subset names: v1");
    valid("selector-export-to", dr("host: redis.domain\nworkloadSelector: {matchLabels: {app: a}}\n"
                                   "exportTo: [\".\"]"));
    invalid("selector-export-to",
            dr("host: redis.domain\nworkloadSelector: {matchLabels: {app: a}}\nexportTo: [\"*\"]"),
            "destination rule with workload selector cannot have exportTo beyond current "
            "namespace");
    QTest::addRow("numeric-tld/destinationrule-host")
        << dr("host: 10.59.118.59") << "istio.numeric-tld"
        << "domain name \"59.118.59\" invalid (top level domain \"59\" cannot be all-numeric)"
        << "error";

    // ---- §5.4 VirtualService --------------------------------------------------------------
    valid("delegate-gateways", vs("hosts: [redis.domain]\ngateways: [mesh]\n" + TcpRoute));
    invalid("delegate-gateways",
            vs("gateways: [mesh]\nhttp:\n- route:\n  - destination: {host: redis.domain}"),
            "delegate virtual service must have no gateways specified");
    valid("delegate-tcp", vs("http:\n- route:\n  - destination: {host: redis.domain}"));
    invalid("delegate-tcp", vs(TcpRoute),
            "delegate virtual service must have no tcp route specified");
    valid("delegate-tls", vs("http:\n- route:\n  - destination: {host: redis.domain}"));
    invalid("delegate-tls",
            vs("tls:\n- match: [{sniHosts: [redis.domain]}]\n"
               "  route:\n  - destination: {host: redis.domain}"),
            "delegate virtual service must have no tls route specified");
    valid("vs-mesh-wildcard-host",
          vs("hosts: [\"*\"]\ngateways: [istio-system/istio-egressgateway]\n" + TcpRoute));
    invalid("vs-mesh-wildcard-host", vs("hosts: [\"*\"]\n" + TcpRoute),
            "wildcard host * is not allowed for virtual services bound to the mesh gateway");
    valid("duplicate-vs-host", vs("hosts: [a.example.com, b.example.com]\n" + TcpRoute));
    invalid("duplicate-vs-host", vs("hosts: [a.example.com, \"*.example.com\"]\n" + TcpRoute),
            "duplicate hosts in virtual service: a.example.com & *.example.com");
    QTest::addRow("duplicate-vs-host/ip-allowed") << vs("hosts: [10.59.118.59]\n" + TcpRoute)
                                                  << "istio.numeric-tld" << QString() << QString();
    valid("vs-no-routes", vs("hosts: [redis.domain]\n" + TcpRoute));
    invalid("vs-no-routes", vs("hosts: [redis.domain]"),
            "http, tcp or tls must be provided in virtual service");
    valid("legacy-gateway-name",
          vs("hosts: [redis.domain]\ngateways: [istio-system/istio-egressgateway]\n" + TcpRoute));
    warned("legacy-gateway-name",
           vs("hosts: [redis.domain]\ngateways: [istio-egressgateway.istio-system]\n" + TcpRoute),
           "using legacy gatewayName format \"istio-egressgateway.istio-system\"; prefer the "
           "<namespace>/<name> format: \"istio-system/istio-egressgateway\"");
    valid("empty-gateway-name-part",
          vs("hosts: [redis.domain]\ngateways: [istio-system/istio-egressgateway]\n" + TcpRoute));
    invalid("empty-gateway-name-part",
            vs("hosts: [redis.domain]\ngateways: [istio-system/]\n" + TcpRoute),
            "config namespace and gateway name cannot be empty");
    valid("invalid-gateway-namespace",
          vs("hosts: [redis.domain]\ngateways: [istio-system/istio-egressgateway]\n" + TcpRoute));
    invalid("invalid-gateway-namespace",
            vs("hosts: [redis.domain]\ngateways: [Istio_System/istio-egressgateway]\n" + TcpRoute),
            "invalid value for namespace: \"Istio_System\"");
    valid("invalid-gateway-reference",
          vs("hosts: [redis.domain]\ngateways: [istio-system/istio-egressgateway]\n" + TcpRoute));
    invalid("invalid-gateway-reference",
            vs("hosts: [redis.domain]\ngateways: [istio-system/egress.gateway]\n" + TcpRoute),
            "invalid value for gateway name: \"egress.gateway\"");
    valid("null-route",
          vs("hosts: [redis.domain]\nhttp:\n- route:\n  - destination: {host: redis.domain}"));
    invalid("null-route", vs("hosts: [redis.domain]\nhttp: [~]"), "http route may not be null");
    valid("null-match", vs("hosts: [redis.domain]\ntcp:\n- match: [{port: 6379}]\n"
                           "  route:\n  - destination: {host: redis.domain}"));
    invalid("null-match",
            vs("hosts: [redis.domain]\ntcp:\n- match: [~]\n"
               "  route:\n  - destination: {host: redis.domain}"),
            "tcp match may not be nil");
    valid("tcp-route-required", vs("hosts: [redis.domain]\n" + TcpRoute));
    invalid("tcp-route-required", vs("hosts: [redis.domain]\ntcp:\n- match: [{port: 6379}]"),
            "TCP route is required");
    const QString tlsRoute =
        QStringLiteral("tls:\n- match: [{sniHosts: [redis.domain], port: 443}]\n"
                       "  route:\n  - destination: {host: redis.domain}");
    valid("tls-route-match-required", vs("hosts: [redis.domain]\n" + tlsRoute));
    invalid("tls-route-match-required",
            vs("hosts: [redis.domain]\ntls:\n- route:\n  - destination: {host: redis.domain}"),
            "TLS route must have at least one match condition");
    valid("tls-match-sni-required", vs("hosts: [redis.domain]\n" + tlsRoute));
    invalid("tls-match-sni-required",
            vs("hosts: [redis.domain]\ntls:\n- match: [{port: 443}]\n"
               "  route:\n  - destination: {host: redis.domain}"),
            "TLS match must have at least one SNI host");
    valid("sni-host-not-in-hosts", vs("hosts: [\"*.domain\"]\n" + tlsRoute));
    invalid("sni-host-not-in-hosts", vs("hosts: [cache.domain, db.domain]\n" + tlsRoute),
            "SNI host \"redis.domain\" is not a compatible subset of any of the virtual service "
            "hosts: [cache.domain, db.domain]");
    valid("sni-ip-address", vs("hosts: [redis.domain]\n" + tlsRoute));
    QTest::addRow("sni-ip-address/warning")
        << vs("hosts: [redis.domain]\ntls:\n- match: [{sniHosts: [10.59.118.59]}]\n"
              "  route:\n  - destination: {host: redis.domain}")
        << "istio.sni-ip-address"
        << "using an IP address (\"10.59.118.59\") goes against SNI spec and most clients do not "
           "support this"
        << "warning";
    valid("tls-route-required", vs("hosts: [redis.domain]\n" + tlsRoute));
    invalid("tls-route-required",
            vs("hosts: [redis.domain]\ntls:\n- match: [{sniHosts: [redis.domain]}]"),
            "TLS route is required");
    valid("null-route-destination", vs("hosts: [redis.domain]\n" + TcpRoute));
    invalid("null-route-destination", vs("hosts: [redis.domain]\ntcp:\n- route: [~]"),
            "weight may not be nil");
    valid("destination-required", vs("hosts: [redis.domain]\n" + TcpRoute));
    invalid("destination-required", vs("hosts: [redis.domain]\ntcp:\n- route: [{weight: 100}]"),
            "destination is required");
    valid("negative-weight", vs("hosts: [redis.domain]\ntcp:\n- route:\n"
                                "  - {destination: {host: redis.domain, subset: a}, weight: 80}\n"
                                "  - {destination: {host: redis.domain, subset: b}, weight: 20}"));
    invalid("negative-weight",
            vs("hosts: [redis.domain]\ntcp:\n- route:\n"
               "  - {destination: {host: redis.domain}, weight: -1}"),
            "weight -1 < 0");
    valid("zero-total-weight",
          vs("hosts: [redis.domain]\nhttp:\n- route:\n"
             "  - {destination: {host: redis.domain, subset: a}, weight: 100}\n"
             "  - {destination: {host: redis.domain, subset: b}}"));
    invalid("zero-total-weight",
            vs("hosts: [redis.domain]\nhttp:\n- route:\n"
               "  - {destination: {host: redis.domain, subset: a}}\n"
               "  - {destination: {host: redis.domain, subset: b}}"),
            "total destination weight = 0");
    valid("invalid-source-namespace",
          vs("hosts: [redis.domain]\nhttp:\n- match: [{sourceNamespace: default}]\n"
             "  route:\n  - destination: {host: redis.domain}"));
    invalid("invalid-source-namespace",
            vs("hosts: [redis.domain]\nhttp:\n- match: [{sourceNamespace: Default_NS}]\n"
               "  route:\n  - destination: {host: redis.domain}"),
            "sourceNamespace match Default_NS is invalid");
    QTest::addRow("invalid-port/destination-port")
        << vs("hosts: [redis.domain]\ntcp:\n- route:\n"
              "  - destination: {host: redis.domain, port: {number: 70000}}")
        << "istio.invalid-port"
        << "port number 70000 must be in the range 1..65535"
        << "error";
    QTest::addRow("invalid-cidr/destination-subnets")
        << vs("hosts: [redis.domain]\ntcp:\n- match: [{destinationSubnets: [10.59.118.59/40]}]\n"
              "  route:\n  - destination: {host: redis.domain}")
        << "istio.invalid-cidr"
        << "10.59.118.59/40 is not a valid CIDR block"
        << "error";
    valid("vs-unreachable-rule", vs("hosts: [redis.domain]\ntcp:\n- match: [{port: 6379}]\n"
                                    "  route:\n  - destination: {host: redis.domain}\n"
                                    "- route:\n  - destination: {host: redis.domain}"));
    warned("vs-unreachable-rule",
           vs("hosts: [redis.domain]\ntcp:\n- route:\n  - destination: {host: redis.domain}\n"
              "- route:\n  - destination: {host: redis.domain}"),
           "virtualService rule #1 not used (only the last rule can have no matches)");
    valid("vs-ineffective-match",
          vs("hosts: [redis.domain]\ntcp:\n- match: [{port: 6379}]\n"
             "  route:\n  - destination: {host: redis.domain}\n"
             "- match: [{port: 6380}]\n  route:\n  - destination: {host: redis.domain}"));
    warned("vs-ineffective-match",
           vs("hosts: [redis.domain]\ntcp:\n- match: [{port: 6379}]\n"
              "  route:\n  - destination: {host: redis.domain}\n"
              "- match: [{port: 6379}]\n  route:\n  - destination: {host: redis.domain}"),
           "virtualService rule #1 match #0 is not used (duplicate/overlapping match in rule #0)");
    QTest::addRow("vs-ineffective-match/http-prefix-overlap")
        << vs("hosts: [redis.domain]\nhttp:\n- name: debug\n  match: [{uri: {prefix: /debug}}]\n"
              "  route:\n  - destination: {host: redis.domain}\n"
              "- match: [{uri: {prefix: /debugs}}]\n  route:\n  - destination: {host: "
              "redis.domain}")
        << "istio.vs-ineffective-match"
        << "virtualService rule #1 match #0 of prefix /debugs is not used (duplicate/overlapping "
           "match in rule #0 of prefix /debug on \"debug\")"
        << "warning";

    // ---- §5.5 Sidecar ---------------------------------------------------------------------
    const QString egressAll = QStringLiteral("egress: [{hosts: [\"./*\", istio-system/*]}]");
    valid("sidecar-empty", sc(egressAll));
    invalid("sidecar-empty", sc("workloadSelector: {labels: {app: redis}}"),
            "sidecar: empty configuration provided");
    valid("sidecar-null-listener", sc(egressAll));
    invalid("sidecar-null-listener", sc("ingress: [~]"), "sidecar: ingress may not be null");
    const QString ingress =
        QStringLiteral("ingress:\n- port: {number: 6379, name: tcp-redis, protocol: TCP}\n"
                       "  defaultEndpoint: 127.0.0.1:6379");
    valid("sidecar-ingress-port-required", sc(ingress));
    invalid("sidecar-ingress-port-required", sc("ingress: [{defaultEndpoint: \"127.0.0.1:6379\"}]"),
            "sidecar: port is required for ingress listeners");
    valid("sidecar-target-port", sc(ingress));
    invalid("sidecar-target-port",
            sc("ingress:\n- port: {number: 6379, name: tcp-redis, protocol: TCP, targetPort: 1}"),
            "targetPort has no impact on Sidecars");
    valid("sidecar-duplicate-port", sc(ingress));
    invalid("sidecar-duplicate-port",
            sc(ingress + "\n- port: {number: 6379, name: tcp-redis-2, protocol: TCP}"),
            "sidecar: ports on IP bound listeners must be unique");
    valid("sidecar-default-endpoint", sc(ingress));
    invalid("sidecar-default-endpoint",
            sc("ingress:\n- port: {number: 6379, name: tcp-redis, protocol: TCP}\n"
               "  defaultEndpoint: 10.0.0.1:6379"),
            "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,"
            "[::]:port,unix://filepath or unset");
    QTest::addRow("sidecar-default-endpoint/missing-port")
        << sc("ingress:\n- port: {number: 6379, name: tcp-redis, protocol: TCP}\n"
              "  defaultEndpoint: 127.0.0.1")
        << "istio.sidecar-default-endpoint"
        << "sidecar: defaultEndpoint port () is not a number: strconv.Atoi: parsing \"\": "
           "invalid syntax"
        << "error";
    valid("sidecar-ingress-tls", sc(ingress + "\n  tls: {mode: SIMPLE, serverCertificate: /c, "
                                              "privateKey: /k}"));
    invalid("sidecar-ingress-tls", sc(ingress + "\n  tls: {mode: SIMPLE, credentialName: c}"),
            "sidecar: credentialName is not currently supported");
    QTest::addRow("sidecar-ingress-tls/istio-mutual")
        << sc(ingress + "\n  tls: {mode: ISTIO_MUTUAL}") << "istio.sidecar-ingress-tls"
        << "configuration is invalid: cannot set mode to ISTIO_MUTUAL in sidecar ingress tls"
        << "error";
    valid("sidecar-http-pool", sc(ingress + "\n  connectionPool: {tcp: {maxConnections: 10}}"));
    warned("sidecar-http-pool",
           sc(ingress + "\n  connectionPool: {http: {http1MaxPendingRequests: 10}}"),
           "sidecar: HTTP connection pool settings are configured for port 6379 (\"tcp-redis\") "
           "but its protocol is not HTTP (TCP); only TCP settings will apply");
    const QString egressPort = QStringLiteral(
        "- port: {number: 6379, name: tcp-redis, protocol: TCP}\n  hosts: [\"./redis.domain\"]");
    valid("sidecar-catch-all-not-last", sc("egress:\n" + egressPort + "\n- hosts: [\"./*\"]"));
    invalid("sidecar-catch-all-not-last", sc("egress:\n- hosts: [\"./*\"]\n" + egressPort),
            "sidecar: the egress listener with empty port should be the last listener in the "
            "list");
    // Istio only sets the catch-all flag on the last listener, so its "only one listener with
    // empty port" error can never fire; the valid row is all there is.
    valid("sidecar-multiple-catch-all", sc("egress:\n" + egressPort + "\n- hosts: [\"./*\"]"));
    const QString uds = QStringLiteral("- port: {number: 0, name: redis-uds, protocol: TCP}\n"
                                       "  bind: unix:///var/run/redis.sock\n"
                                       "  hosts: [\"./redis.domain\"]");
    valid("sidecar-uds-bind", sc("egress:\n" + uds));
    invalid("sidecar-uds-bind",
            sc("egress:\n- port: {number: 0, name: redis-uds, protocol: TCP}\n"
               "  hosts: [\"./redis.domain\"]"),
            "sidecar: ports with 0 value must have a unix domain socket bind address");
    valid("sidecar-uds-capture-mode", sc("egress:\n" + uds + "\n  captureMode: NONE"));
    invalid("sidecar-uds-capture-mode", sc("egress:\n" + uds + "\n  captureMode: IPTABLES"),
            "sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners");
    valid("sidecar-duplicate-uds", sc("egress:\n" + uds));
    invalid("sidecar-duplicate-uds", sc("egress:\n" + uds + "\n" + uds),
            "sidecar: unix domain socket values for listeners must be unique");
    valid("sidecar-egress-no-hosts", sc("egress:\n" + egressPort));
    invalid("sidecar-egress-no-hosts",
            sc("egress:\n- port: {number: 6379, name: tcp-redis, protocol: TCP}"),
            "sidecar: egress listener must contain at least one host");
    valid("sidecar-duplicate-egress-host", sc(egressAll));
    warned("sidecar-duplicate-egress-host",
           sc("egress: [{hosts: [\"./*\", \"default/redis.domain\"]}]"),
           "duplicated egress host: default/redis.domain");
    valid("sidecar-select-all-host", sc("egress: [{hosts: [\"*/*\"]}]"));
    warned("sidecar-select-all-host", sc("egress: [{hosts: [\"*/*\", \"istio-system/*\"]}]"),
           "`*/*` host select all resources, no other hosts can be added");
    valid("sidecar-dynamic-dns-mode", sc("outboundTrafficPolicy: {mode: REGISTRY_ONLY}"));
    invalid("sidecar-dynamic-dns-mode", sc("outboundTrafficPolicy: {mode: ALLOW_ANY_DYNAMIC_DNS}"),
            "sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only supported in MeshConfig, not in Sidecar "
            "resource");
    valid("sidecar-egress-proxy-mode",
          sc("outboundTrafficPolicy:\n  mode: ALLOW_ANY\n"
             "  egressProxy: {host: proxy.example.com, port: {number: 3128}}"));
    invalid("sidecar-egress-proxy-mode",
            sc("outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n"
               "  egressProxy: {host: proxy.example.com, port: {number: 3128}}"),
            "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode");
    valid("sidecar-egress-proxy-port",
          sc("outboundTrafficPolicy:\n  mode: ALLOW_ANY\n"
             "  egressProxy: {host: proxy.example.com, port: {number: 3128}}"));
    invalid(
        "sidecar-egress-proxy-port",
        sc("outboundTrafficPolicy:\n  mode: ALLOW_ANY\n  egressProxy: {host: proxy.example.com}"),
        "sidecar: egress_proxy port must be non-nil");
    QTest::addRow("invalid-host-namespace/sidecar")
        << sc("egress: [{hosts: [Bad_NS/redis.domain]}]") << "istio.invalid-host-namespace"
        << "invalid namespace value \"Bad_NS\" in sidecar"
        << "error";
}

void tst_Webhook::rules()
{
    QFETCH(QString, yaml);
    QFETCH(QString, code);
    QFETCH(QString, message);
    QFETCH(QString, severity);

    const common::Diagnostics diagnostics = validateText(yaml);
    const std::string wantedCode = code.toStdString();
    if (message.isEmpty()) {
        for (const common::Diagnostic &d : diagnostics) {
            QVERIFY2(d.code != wantedCode, qPrintable("unexpected:\n" + dump(diagnostics)));
            QVERIFY2(d.severity != common::Severity::Error,
                     qPrintable("a valid row must have no error:\n" + dump(diagnostics)));
        }
        return;
    }
    bool found = false;
    for (const common::Diagnostic &d : diagnostics) {
        if (d.code == wantedCode && d.message == message.toStdString()) {
            QCOMPARE(QString::fromLatin1(common::severityName(d.severity)), severity);
            QVERIFY2(d.location.line > 0 && d.location.column > 0, qPrintable(dump(diagnostics)));
            QVERIFY2(!d.path.empty(), qPrintable(dump(diagnostics)));
            found = true;
        }
    }
    QVERIFY2(found,
             qPrintable("expected [" + code + "] " + message + "\ngot:\n" + dump(diagnostics)));
}

void tst_Webhook::workshopServiceEntryPlaceholder()
{
    const QString file = QStringLiteral(
        MESHCRAFT_TEST_DATA_DIR "/config/webhook/workshop-redis-serviceentry-placeholder.yaml");
    QFile in(file);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const common::Diagnostics diagnostics =
        validateText(QString::fromUtf8(in.readAll()), "redis-serviceentry.yaml");
    QCOMPARE(int(diagnostics.size()), 1);
    const common::Diagnostic &d = diagnostics.front();
    QCOMPARE(d.severity, common::Severity::Error);
    QCOMPARE(QString::fromStdString(d.code), QStringLiteral("istio.invalid-address"));
    QVERIFY(d.message.find("REDIS_ENDPOINT is not a valid IP") != std::string::npos);
    // `  - REDIS_ENDPOINT # VIPs` is line 9; the scalar starts in column 5.
    QCOMPARE(d.location.line, 9);
    QCOMPARE(d.location.column, 5);
    QCOMPARE(QString::fromStdString(d.path), QStringLiteral("spec.addresses[0]"));
    QCOMPARE(QString::fromStdString(d.toString()),
             QStringLiteral("redis-serviceentry.yaml:9:5: error: REDIS_ENDPOINT is not a valid IP "
                            "[istio.invalid-address]"));
}

void tst_Webhook::workshopServiceEntryIsClean()
{
    QFile in(
        QStringLiteral(MESHCRAFT_TEST_DATA_DIR "/config/webhook/workshop-redis-serviceentry.yaml"));
    QVERIFY(in.open(QIODevice::ReadOnly));
    const common::Diagnostics diagnostics = validateText(QString::fromUtf8(in.readAll()));
    QVERIFY2(diagnostics.empty(), qPrintable(dump(diagnostics)));
}

void tst_Webhook::workshopGatewayAndDestinationRuleHaveNoWebhookFindings()
{
    QFile in(QStringLiteral(MESHCRAFT_TEST_DATA_DIR "/config/webhook/workshop-redis-egress.yaml"));
    QVERIFY(in.open(QIODevice::ReadOnly));
    const ParseResult parsed = parseResources(in.readAll().toStdString(), "redis-egress.yaml");
    QVERIFY2(parsed.diagnostics.empty(), qPrintable(dump(parsed.diagnostics)));
    QCOMPARE(int(parsed.resources.size()), 2);
    QCOMPARE(parsed.resources[0].kind, Kind::Gateway);
    QCOMPARE(parsed.resources[1].kind, Kind::DestinationRule);
    // The unknown `addresses` field is the schema layer's warning, not the webhook's.
    const common::Diagnostics diagnostics = validateIstioResources(parsed.resources);
    QVERIFY2(diagnostics.empty(), qPrintable(dump(diagnostics)));
}

void tst_Webhook::missingFieldPointsAtParent()
{
    // `hosts` is missing: the diagnostic points at `spec:` (line 6) and names the field.
    const common::Diagnostics diagnostics = validateText(
        "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: x\n"
        "  namespace: default\nspec:\n  addresses: [10.59.118.59]\n"
        "  ports:\n  - number: 6379\n    protocol: TCP\n");
    QStringList lines;
    for (const common::Diagnostic &d : diagnostics) {
        lines << QString::fromStdString(d.toString() + " {" + d.path + "}");
    }
    QCOMPARE(lines, QStringList({"t.yaml:6:1: error: service entry must have at least one host "
                                 "[istio.se-missing-hosts] {spec.hosts}",
                                 "t.yaml:9:5: error: invalid port name:  [istio.invalid-port-name] "
                                 "{spec.ports[0].name}"}));
}

void tst_Webhook::wrongTypesAreSkipped_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addRow("port-number-string")
        << se("hosts: [redis.domain]\naddresses: [10.59.118.59]\n"
              "ports: [{number: \"6379\", name: tcp-redis, protocol: TCP}]");
    QTest::addRow("port-name-number") << se("hosts: [redis.domain]\naddresses: [10.59.118.59]\n"
                                            "ports: [{number: 6379, name: 6379, protocol: TCP}]");
    QTest::addRow("hosts-not-a-list")
        << se("hosts: redis.domain\naddresses: [10.59.118.59]\n" + SePort);
    QTest::addRow("address-number") << se("hosts: [redis.domain]\naddresses: [10.5]\n" + SePort);
    QTest::addRow("resolution-number") << se(SeBase + "\nresolution: 1");
    QTest::addRow("servers-a-map") << gw("servers: {port: 1}");
    QTest::addRow("gateway-port-number-bool")
        << gw("servers:\n- port: {number: true, name: tcp-redis, protocol: TCP}\n"
              "  hosts: [redis.domain]");
    QTest::addRow("weight-string") << vs("hosts: [redis.domain]\ntcp:\n- route:\n"
                                         "  - {destination: {host: redis.domain}, weight: \"-5\"}");
    QTest::addRow("spec-a-list") << doc("Sidecar", "- egress");
    QTest::addRow("labels-a-list")
        << dr("host: redis.domain\nsubsets: [{name: v1, labels: [a, b]}]");
}

void tst_Webhook::wrongTypesAreSkipped()
{
    QFETCH(QString, yaml);
    // No crash; and no webhook finding about the mistyped value itself.
    const common::Diagnostics diagnostics = validateText(yaml);
    for (const common::Diagnostic &d : diagnostics) {
        QVERIFY2(d.code != "istio.invalid-port" && d.code != "istio.invalid-port-name" &&
                     d.code != "istio.invalid-address" && d.code != "istio.negative-weight" &&
                     d.code != "istio.unsupported-resolution",
                 qPrintable(dump(diagnostics)));
    }
}

void tst_Webhook::diagnosticsKeepIstioOrder()
{
    // Hosts, then addresses, then ports (duplicates first, then name/protocol/number): the order
    // of ValidateServiceEntry, which is the order of the webhook's multierror.
    const common::Diagnostics diagnostics =
        validateText(se("hosts: [10.59.118.59]\naddresses: [REDIS_ENDPOINT]\nports:\n"
                        "- {number: 6379, name: tcp-redis, protocol: TCP}\n"
                        "- {number: 6379, name: redis, protocol: tcp-redis}"));
    QStringList codes;
    for (const common::Diagnostic &d : diagnostics) {
        codes << QString::fromStdString(d.code);
    }
    QCOMPARE(codes, QStringList({"istio.numeric-tld", "istio.invalid-address",
                                 "istio.duplicate-port-number", "istio.unsupported-protocol"}));
}

void tst_Webhook::kubernetesKindsAreNotValidated()
{
    const common::Diagnostics diagnostics =
        validateText("apiVersion: v1\nkind: Service\nmetadata:\n  name: redis_cart\n"
                     "spec:\n  ports:\n  - port: 70000\n");
    QVERIFY2(diagnostics.empty(), qPrintable(dump(diagnostics)));
}

void tst_Webhook::golden_data()
{
    QTest::addColumn<QString>("yamlPath");
    const QDir dir(QStringLiteral(MESHCRAFT_TEST_DATA_DIR "/config/webhook"));
    const QStringList files = dir.entryList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name);
    QVERIFY(files.size() >= 3);
    for (const QString &file : files) {
        QTest::addRow("%s", qPrintable(file)) << dir.filePath(file);
    }
}

void tst_Webhook::golden()
{
    QFETCH(QString, yamlPath);
    QFile in(yamlPath);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QString fileName = QFileInfo(yamlPath).fileName();
    const common::Diagnostics diagnostics =
        validateText(QString::fromUtf8(in.readAll()), fileName.toStdString());
    QStringList actual;
    for (const common::Diagnostic &d : diagnostics) {
        actual << QString::fromStdString(d.toString());
    }

    const QString expectedPath = yamlPath.chopped(5) + QStringLiteral(".expected");
    if (qEnvironmentVariableIsSet("MESHCRAFT_UPDATE_GOLDEN")) {
        QFile out(expectedPath);
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write((actual.join(QLatin1Char('\n')) + (actual.isEmpty() ? "" : "\n")).toUtf8());
    }
    QFile expectedFile(expectedPath);
    QVERIFY2(expectedFile.open(QIODevice::ReadOnly), qPrintable("missing " + expectedPath));
    QStringList expected =
        QString::fromUtf8(expectedFile.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(actual, expected);
}

void tst_Webhook::kubectlSingleError()
{
    const common::Diagnostics diagnostics =
        validateText(se("hosts: [redis.domain]\naddresses: [REDIS_ENDPOINT]\n" + SePort));
    KubectlRequest request;
    request.source = "redis-serviceentry.yaml";
    QCOMPARE(QString::fromStdString(kubectlWebhookDenial(request, diagnostics)),
             QStringLiteral("Error from server: error when creating \"redis-serviceentry.yaml\": "
                            "admission webhook \"validation.istio.io\" denied the request: "
                            "configuration is invalid: REDIS_ENDPOINT is not a valid IP\n"));
}

void tst_Webhook::kubectlMultipleErrors()
{
    const common::Diagnostics diagnostics =
        validateText(se("hosts: [10.59.118.59]\naddresses: [REDIS_ENDPOINT]\n" + SePort));
    QCOMPARE(QString::fromStdString(webhookDenialMessage(diagnostics)),
             QStringLiteral("configuration is invalid: 2 errors occurred:\n"
                            "\t* domain name \"59.118.59\" invalid (top level domain \"59\" "
                            "cannot be all-numeric)\n"
                            "\t* REDIS_ENDPOINT is not a valid IP\n\n"));
    KubectlRequest request;
    request.source = "redis-serviceentry.yaml";
    QCOMPARE(QString::fromStdString(kubectlWebhookDenial(request, diagnostics)),
             QStringLiteral("Error from server: error when creating \"redis-serviceentry.yaml\": "
                            "admission webhook \"validation.istio.io\" denied the request: "
                            "configuration is invalid: 2 errors occurred:\n"
                            "\t* domain name \"59.118.59\" invalid (top level domain \"59\" "
                            "cannot be all-numeric)\n"
                            "\t* REDIS_ENDPOINT is not a valid IP\n\n"));
    QCOMPARE(QString::fromStdString(multiErrorText({"a", "b", "c"})),
             QStringLiteral("3 errors occurred:\n\t* a\n\t* b\n\t* c\n\n"));
    QCOMPARE(QString::fromStdString(multiErrorText({"only"})), QStringLiteral("only"));
}

void tst_Webhook::kubectlVerbs()
{
    const common::Diagnostics diagnostics =
        validateText(se("hosts: [redis.domain]\naddresses: [REDIS_ENDPOINT]\n" + SePort));
    const QString tail = QStringLiteral(
        "admission webhook \"validation.istio.io\" denied the request: configuration is invalid: "
        "REDIS_ENDPOINT is not a valid IP\n");

    KubectlRequest replace;
    replace.verb = KubectlVerb::Replace;
    replace.source = "/dev/fd/63";
    QCOMPARE(QString::fromStdString(kubectlWebhookDenial(replace, diagnostics)),
             "Error from server: error when replacing \"/dev/fd/63\": " + tail);

    KubectlRequest patch;
    patch.verb = KubectlVerb::ApplyPatch;
    patch.source = "redis-serviceentry.yaml";
    patch.patch = R"({"spec":{"addresses":["REDIS_ENDPOINT"]}})";
    patch.object = {"networking.istio.io", "v1alpha3",           "serviceentries",
                    "ServiceEntry",        "redis-serviceentry", "default"};
    QCOMPARE(
        QString::fromStdString(kubectlWebhookDenial(patch, diagnostics)),
        QStringLiteral("Error from server: error when applying patch:\n"
                       "{\"spec\":{\"addresses\":[\"REDIS_ENDPOINT\"]}}\nto:\n"
                       "Resource: \"networking.istio.io/v1alpha3, Resource=serviceentries\", "
                       "GroupVersionKind: \"networking.istio.io/v1alpha3, Kind=ServiceEntry\"\n"
                       "Name: \"redis-serviceentry\", Namespace: \"default\"\n"
                       "for: \"redis-serviceentry.yaml\": ") +
            tail);

    KubectlRequest noSource;
    QCOMPARE(QString::fromStdString(kubectlWebhookDenial(noSource, diagnostics)),
             "Error from server: " + tail);

    KubectlRequest legacy;
    legacy.source = "redis-serviceentry.yaml";
    QCOMPARE(QString::fromStdString(
                 kubectlWebhookDenial(legacy, diagnostics, "pilot.validation.istio.io")),
             QStringLiteral("Error from server: error when creating \"redis-serviceentry.yaml\": "
                            "admission webhook \"pilot.validation.istio.io\" denied the request: "
                            "configuration is invalid: REDIS_ENDPOINT is not a valid IP\n"));

    KubectlRequest notFound;
    notFound.verb = KubectlVerb::Delete;
    notFound.source = "redis-egress.yaml";
    QCOMPARE(
        QString::fromStdString(kubectlServerError(
            notFound, "gateways.networking.istio.io \"istio-egressgateway\" not found",
            "NotFound")),
        QStringLiteral("Error from server (NotFound): error when deleting \"redis-egress.yaml\": "
                       "gateways.networking.istio.io \"istio-egressgateway\" not found\n"));
}

void tst_Webhook::kubectlWarnings()
{
    const common::Diagnostics diagnostics =
        validateText(se("hosts: [\"*redis.domain\"]\n" + SePort));
    QVERIFY(!common::hasErrors(diagnostics));
    QCOMPARE(QString::fromStdString(config::kubectlWarnings(diagnostics)),
             QStringLiteral("Warning: partial wildcard \"*redis.domain\" not allowed\n"
                            "Warning: addresses are required for ports serving TCP (or unset) "
                            "protocol when IP Autoallocation is not enabled\n"));
    // An admitted request has no denial text.
    KubectlRequest request;
    request.source = "redis-serviceentry.yaml";
    QVERIFY(kubectlWebhookDenial(request, diagnostics).empty());
}

void tst_Webhook::kubectlNothingToDeny()
{
    QVERIFY(webhookDenialMessage({}).empty());
    QVERIFY(config::kubectlWarnings({}).empty());
    QVERIFY(multiErrorText({}).empty());
}

QTEST_APPLESS_MAIN(tst_Webhook)
#include "tst_webhook.moc"
