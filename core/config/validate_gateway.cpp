// SPDX-License-Identifier: GPL-3.0-or-later
// Gateway, as Istio's ValidateGateway (istio-behaviour.md §5.2), and the server TLS options that
// Gateway servers and Sidecar ingress listeners share.
#include "core/config/validate_kinds_p.h"
#include "core/config/validation_primitives.h"

#include <set>

namespace meshcraft::core::config::detail {

namespace {

// Go's %v of a networking.Port: its proto text form, the set fields in field order. (Go's
// prototext adds random extra spaces between fields; we print one.)
std::string portText(const Field &port)
{
    std::vector<std::string> parts;
    if (const auto number = port["number"].uint32(); number && *number != 0) {
        parts.push_back("number:" + std::to_string(*number));
    }
    if (const auto protocol = port["protocol"].string(); protocol && !protocol->empty()) {
        parts.push_back("protocol:" + goQuote(*protocol));
    }
    if (const auto name = port["name"].string(); name && !name->empty()) {
        parts.push_back("name:" + goQuote(*name));
    }
    if (const auto target = port["targetPort"].uint32(); target && *target != 0) {
        parts.push_back("target_port:" + std::to_string(*target));
    }
    std::string out;
    for (const std::string &part : parts) {
        out += out.empty() ? part : " " + part;
    }
    return out;
}

// validateServerPort; returns false when it found an error (or could not read the port).
bool validateServerPort(ValidationContext &context, const Field &server, const std::string &bind)
{
    const Field port = server["port"];
    if (!port.present()) {
        context.error("istio.server-missing-port", "port is required", port);
        return false;
    }
    bool ok = true;
    const Field protocolField = port["protocol"];
    const auto protocol = protocolField.string();
    if (!protocol) {
        ok = false; // the schema reports the type
    } else if (parseProtocol(*protocol) == Protocol::Unsupported) {
        context.error("istio.invalid-gateway-protocol",
                      "invalid protocol " + goQuote(*protocol) +
                          ", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, "
                          "MYSQL, TCP",
                      protocolField.present() ? protocolField : port);
        ok = false;
    }
    const Field numberField = port["number"];
    if (const auto number = numberField.uint32()) {
        if (*number > 0 || bind.rfind(UnixAddressPrefix, 0) != 0) {
            if (auto failed = validatePort(*number)) {
                context.error(*failed, numberField.present() ? numberField : port);
                ok = false;
            }
        }
    } else {
        ok = false;
    }
    const Field targetPort = port["targetPort"];
    if (const auto target = targetPort.uint32(); target && *target > 0) {
        context.error("istio.gateway-target-port", "targetPort has no impact on Gateways",
                      targetPort);
        ok = false;
    }
    if (const auto name = port["name"].string(); name && name->empty()) {
        context.error("istio.port-name-required", "port name must be set: " + portText(port), port);
        ok = false;
    }
    return ok;
}

void validateServerBind(ValidationContext &context, const Field &server, const std::string &bind)
{
    const Field bindField = server["bind"];
    if (bind.rfind(UnixAddressPrefix, 0) == 0) {
        context.error(validateUnixAddress(bind.substr(UnixAddressPrefix.size())), bindField);
        const Field port = server["port"];
        if (const auto number = port["number"].uint32(); port.present() && number && *number != 0) {
            context.error("istio.unix-bind-port",
                          "port number must be 0 for unix domain socket: " + portText(port), port);
        }
    } else if (!bind.empty()) {
        context.error(validateIpAddress(bind), bindField);
    }
}

void validateServer(ValidationContext &context, const Field &server)
{
    if (!server.present()) {
        context.error("istio.server-null", "cannot have nil server", server);
        return;
    }
    const Field hosts = server["hosts"];
    if (hosts.size() == 0 && hosts.strings()) {
        context.error("istio.server-missing-hosts", "server config must contain at least one host",
                      hosts);
    }
    for (const auto &[host, field] : hosts.stringItems()) {
        context.errors(validateNamespaceSlashWildcardHostname(host, true), field);
    }
    const std::optional<std::string> bind = server["bind"].string();
    const bool portOk = validateServerPort(context, server, bind.value_or(std::string()));
    if (bind) {
        validateServerBind(context, server, *bind);
    }
    const Field tls = server["tls"];
    validateServerTlsOptions(context, tls);

    // HTTPS and TLS servers need TLS settings; other servers may not have them.
    if (!portOk) {
        return;
    }
    const auto protocolText = server["port"]["protocol"].string();
    if (!protocolText) {
        return;
    }
    const Protocol protocol = parseProtocol(*protocolText);
    if (isTls(protocol) && !tls.present()) {
        context.error("istio.server-tls-required",
                      "server must have TLS settings for HTTPS/TLS protocols", server["port"]);
    } else if (!isTls(protocol) && tls.present()) {
        if (isHttp(protocol)) {
            const auto mode = tls["mode"].string();
            const bool passThrough =
                mode && (mode->empty() || *mode == "PASSTHROUGH" || *mode == "AUTO_PASSTHROUGH");
            const bool hasCertificates =
                !tls["caCertificates"].string().value_or(std::string()).empty() ||
                !tls["privateKey"].string().value_or(std::string()).empty() ||
                !tls["serverCertificate"].string().value_or(std::string()).empty();
            if (mode && (!passThrough || hasCertificates)) {
                context.error("istio.server-tls-plain-http",
                              "server cannot have TLS settings for plain text HTTP ports", tls);
            }
        } else {
            context.error("istio.server-tls-not-allowed",
                          "server cannot have TLS settings for non HTTPS/TLS ports", tls);
        }
    }
}

} // namespace

void validateServerTlsOptions(ValidationContext &context, const Field &tls)
{
    if (!tls.present()) {
        return;
    }
    const auto mode = tls["mode"].string();
    if (!mode) {
        return;
    }
    const std::string effectiveMode = mode->empty() ? "PASSTHROUGH" : *mode;
    const auto text = [&](std::string_view key) {
        return tls[key].string().value_or(std::string());
    };
    const std::string serverCertificate = text("serverCertificate");
    const std::string privateKey = text("privateKey");
    const std::string caCertificates = text("caCertificates");
    const std::string credentialName = text("credentialName");
    const std::string caCrl = text("caCrl");

    if (effectiveMode == "ISTIO_MUTUAL") {
        // ISTIO_MUTUAL uses the mesh's own certificates: nothing else may be set.
        if (!serverCertificate.empty()) {
            context.error("istio.tls-istio-mutual-certificates",
                          "ISTIO_MUTUAL TLS cannot have associated server certificate",
                          tls["serverCertificate"]);
        }
        if (!privateKey.empty()) {
            context.error("istio.tls-istio-mutual-certificates",
                          "ISTIO_MUTUAL TLS cannot have associated private key", tls["privateKey"]);
        }
        if (!caCertificates.empty()) {
            context.error("istio.tls-istio-mutual-certificates",
                          "ISTIO_MUTUAL TLS cannot have associated CA bundle",
                          tls["caCertificates"]);
        }
        if (!credentialName.empty()) {
            context.error("istio.tls-istio-mutual-certificates",
                          "ISTIO_MUTUAL TLS cannot have associated credentialName",
                          tls["credentialName"]);
        }
        return;
    }
    if (effectiveMode == "PASSTHROUGH" || effectiveMode == "AUTO_PASSTHROUGH") {
        if (!caCrl.empty() || !serverCertificate.empty() || !privateKey.empty() ||
            !caCertificates.empty() || !credentialName.empty()) {
            context.warning("istio.tls-passthrough-certificates",
                            effectiveMode + " mode does not use certificates, they will be ignored",
                            tls);
        }
    }
    const bool simple = effectiveMode == "SIMPLE";
    const bool mutual = effectiveMode == "MUTUAL" || effectiveMode == "OPTIONAL_MUTUAL";
    if ((simple || mutual) && !credentialName.empty()) {
        return; // the credentials are fetched remotely
    }
    if (simple) {
        if (serverCertificate.empty()) {
            context.error("istio.tls-missing-certificate",
                          "SIMPLE TLS requires a server certificate", tls);
        }
        if (privateKey.empty()) {
            context.error("istio.tls-missing-certificate", "SIMPLE TLS requires a private key",
                          tls);
        }
    } else if (mutual) {
        if (serverCertificate.empty()) {
            context.error("istio.tls-missing-certificate",
                          "MUTUAL TLS requires a server certificate", tls);
        }
        if (privateKey.empty()) {
            context.error("istio.tls-missing-certificate", "MUTUAL TLS requires a private key",
                          tls);
        }
        if (caCertificates.empty()) {
            context.error("istio.tls-missing-certificate", "MUTUAL TLS requires a client CA bundle",
                          tls);
        }
    }
    if (!caCrl.empty()) {
        if (!credentialName.empty()) {
            context.error("istio.tls-crl",
                          "CRL is not supported with credentialName. CRL has to be specified in "
                          "the credential",
                          tls["caCrl"]);
        }
        if (simple) {
            context.error("istio.tls-crl", "CRL is not supported with SIMPLE TLS", tls["caCrl"]);
        }
    }
}

void validateGateway(ValidationContext &context)
{
    const Field nameField = context.document()["metadata"]["name"];
    if (const auto name = nameField.string(); name && !isDns1123Label(*name)) {
        context.error("istio.invalid-gateway-name", "invalid gateway name: " + goQuote(*name),
                      nameField);
    }

    const Field servers = context.spec()["servers"];
    const std::vector<Field> items = servers.items();
    if (servers.size() == 0 && servers.strings()) {
        context.error("istio.gateway-missing-servers", "gateway must have at least one server",
                      servers);
    }
    for (const Field &server : items) {
        validateServer(context, server);
    }

    // Port names are unique across the servers.
    std::set<std::string> portNames;
    for (const Field &server : items) {
        if (!server.present()) {
            context.error("istio.server-null", "server may not be nil", server);
            continue;
        }
        const Field port = server["port"];
        if (!port.present()) {
            continue;
        }
        const Field nameValue = port["name"];
        if (const auto name = nameValue.string(); name && !portNames.insert(*name).second) {
            context.error("istio.duplicate-server-port-name",
                          "port names in servers must be unique: duplicate name " + *name,
                          nameValue.present() ? nameValue : port);
        }
        const auto protocol = port["protocol"].string();
        const auto redirect = server["tls"]["httpsRedirect"].boolean();
        if (protocol && redirect && *redirect && !isHttp(parseProtocol(*protocol))) {
            context.warning("istio.https-redirect-non-http",
                            "tls.httpsRedirect should only be used with http servers",
                            server["tls"]["httpsRedirect"]);
        }
    }
}

} // namespace meshcraft::core::config::detail
