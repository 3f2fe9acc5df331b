// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/validation_primitives.h"

#include "core/common/text.h"

#include <charconv>
#include <set>

namespace meshcraft::core::config::detail {

namespace {

bool isAlnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// `[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?`, without the length limit.
bool matchesLabelPattern(std::string_view value)
{
    if (value.empty() || !isAlnum(value.front()) || !isAlnum(value.back())) {
        return false;
    }
    for (const char c : value) {
        if (!isAlnum(c) && c != '-') {
            return false;
        }
    }
    return true;
}

// `(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`: a Kubernetes qualified name (or label value).
bool matchesQualifiedName(std::string_view value)
{
    if (value.empty() || !isAlnum(value.front()) || !isAlnum(value.back())) {
        return false;
    }
    for (const char c : value) {
        if (!isAlnum(c) && c != '-' && c != '_' && c != '.') {
            return false;
        }
    }
    return true;
}

// strconv.Atoi succeeds: an optional sign and decimal digits that fit in 64 bits.
bool goAtoiSucceeds(std::string_view text)
{
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        text.remove_prefix(1);
    }
    if (text.empty()) {
        return false;
    }
    for (const char c : text) {
        if (!isDigit(c)) {
            return false;
        }
    }
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() &&
           value <= static_cast<std::uint64_t>(INT64_MAX) + 1U;
}

bool parseIpv4(std::string_view s)
{
    int value = 0;
    int position = 0;
    int digits = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (isDigit(c)) {
            if (digits == 1 && value == 0) {
                return false; // leading zero
            }
            value = value * 10 + (c - '0');
            ++digits;
            if (value > 255) {
                return false;
            }
        } else if (c == '.') {
            if (i == 0 || i == s.size() - 1 || s[i - 1] == '.') {
                return false;
            }
            if (position == 3) {
                return false;
            }
            ++position;
            value = 0;
            digits = 0;
        } else {
            return false;
        }
    }
    return position == 3;
}

// Go's parseIPv6; sets hasZone.
bool parseIpv6(std::string_view s, bool &hasZone)
{
    hasZone = false;
    if (const auto percent = s.find('%'); percent != std::string_view::npos) {
        if (percent + 1 == s.size()) {
            return false; // empty zone
        }
        hasZone = true;
        s = s.substr(0, percent);
    }
    int ellipsis = -1;
    if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
        ellipsis = 0;
        s.remove_prefix(2);
        if (s.empty()) {
            return true;
        }
    }
    int i = 0;
    while (i < 16) {
        std::size_t off = 0;
        unsigned accumulator = 0;
        for (; off < s.size(); ++off) {
            const int hex = hexValue(s[off]);
            if (hex < 0) {
                break;
            }
            accumulator = (accumulator << 4) + static_cast<unsigned>(hex);
            if (off > 3 || accumulator > 0xffff) {
                return false;
            }
        }
        if (off == 0) {
            return false;
        }
        if (off < s.size() && s[off] == '.') {
            if (ellipsis < 0 && i != 12) {
                return false;
            }
            if (i + 4 > 16) {
                return false;
            }
            if (!parseIpv4(s)) {
                return false;
            }
            i += 4;
            s = {};
            break;
        }
        i += 2;
        s.remove_prefix(off);
        if (s.empty()) {
            break;
        }
        if (s[0] != ':' || s.size() == 1) {
            return false;
        }
        s.remove_prefix(1);
        if (s[0] == ':') {
            if (ellipsis >= 0) {
                return false;
            }
            ellipsis = i;
            s.remove_prefix(1);
            if (s.empty()) {
                break;
            }
        }
    }
    if (!s.empty()) {
        return false;
    }
    if (i < 16) {
        return ellipsis >= 0;
    }
    return ellipsis < 0;
}

enum class AddressFamily { None, V4, V6 };

AddressFamily parseAddress(std::string_view s, bool &hasZone)
{
    hasZone = false;
    for (const char c : s) {
        if (c == '.') {
            return parseIpv4(s) ? AddressFamily::V4 : AddressFamily::None;
        }
        if (c == ':') {
            return parseIpv6(s, hasZone) ? AddressFamily::V6 : AddressFamily::None;
        }
        if (c == '%') {
            return AddressFamily::None;
        }
    }
    return AddressFamily::None;
}

Problem problem(std::string code, std::string message)
{
    return Problem{std::move(code), std::move(message)};
}

} // namespace

std::string goQuote(std::string_view text)
{
    static const char *Hex = "0123456789abcdef";
    std::string out = "\"";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\a':
            out += "\\a";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\v':
            out += "\\v";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                out += "\\x";
                out += Hex[c >> 4];
                out += Hex[c & 0xf];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
    return out;
}

bool isDns1123Label(std::string_view value)
{
    return value.size() <= 63 && matchesLabelPattern(value);
}

bool isWildcardDns1123Label(std::string_view value)
{
    if (value.size() > 63) {
        return false;
    }
    if (value == "*") {
        return true;
    }
    if (matchesLabelPattern(value)) {
        return true;
    }
    if (!value.empty() && value.front() == '*') {
        if (matchesLabelPattern(value.substr(1))) {
            return true;
        }
        if (value.size() > 1 && value[1] == '-' && matchesLabelPattern(value.substr(2))) {
            return true;
        }
    }
    return false;
}

std::optional<Problem> validatePort(std::int64_t port)
{
    if (port >= 1 && port <= 65535) {
        return std::nullopt;
    }
    return problem("istio.invalid-port",
                   "port number " + std::to_string(port) + " must be in the range 1..65535");
}

std::optional<Problem> validatePortName(std::string_view name)
{
    if (isDns1123Label(name)) {
        return std::nullopt;
    }
    return problem("istio.invalid-port-name", "invalid port name: " + std::string(name));
}

Protocol parseProtocol(std::string_view text)
{
    const std::string lower = common::toLower(text);
    if (lower == "tcp") {
        return Protocol::Tcp;
    }
    if (lower == "udp") {
        return Protocol::Udp;
    }
    if (lower == "grpc") {
        return Protocol::Grpc;
    }
    if (lower == "grpc-web") {
        return Protocol::GrpcWeb;
    }
    if (lower == "http") {
        return Protocol::Http;
    }
    if (lower == "http_proxy") {
        return Protocol::HttpProxy;
    }
    if (lower == "http2") {
        return Protocol::Http2;
    }
    if (lower == "https") {
        return Protocol::Https;
    }
    if (lower == "tls") {
        return Protocol::Tls;
    }
    if (lower == "mongo") {
        return Protocol::Mongo;
    }
    if (lower == "redis") {
        return Protocol::Redis;
    }
    if (lower == "mysql") {
        return Protocol::MySql;
    }
    return Protocol::Unsupported;
}

bool isHttp(Protocol protocol)
{
    switch (protocol) {
    case Protocol::Http:
    case Protocol::Http2:
    case Protocol::HttpProxy:
    case Protocol::Grpc:
    case Protocol::GrpcWeb:
        return true;
    default:
        return false;
    }
}

bool isTcp(Protocol protocol)
{
    switch (protocol) {
    case Protocol::Tcp:
    case Protocol::Https:
    case Protocol::Tls:
    case Protocol::Mongo:
    case Protocol::Redis:
    case Protocol::MySql:
        return true;
    default:
        return false;
    }
}

bool isTls(Protocol protocol)
{
    return protocol == Protocol::Https || protocol == Protocol::Tls;
}

std::optional<Problem> validateProtocol(std::string_view protocol)
{
    if (!protocol.empty() && parseProtocol(protocol) == Protocol::Unsupported) {
        return problem("istio.unsupported-protocol",
                       "unsupported protocol: " + std::string(protocol));
    }
    return std::nullopt;
}

std::optional<Problem> checkDns1123Preconditions(std::string_view name)
{
    if (name.size() > 255) {
        return problem("istio.domain-too-long",
                       "domain name " + goQuote(name) + " too long (max 255)");
    }
    if (name.empty()) {
        return problem("istio.empty-domain", "empty domain name not allowed");
    }
    return std::nullopt;
}

std::optional<Problem> validateDns1123Labels(std::string_view domain)
{
    const std::vector<std::string> parts = common::split(domain, '.');
    const std::string &topLevel = parts.back();
    if (goAtoiSucceeds(topLevel)) {
        return problem("istio.numeric-tld", "domain name " + goQuote(domain) +
                                                " invalid (top level domain " + goQuote(topLevel) +
                                                " cannot be all-numeric)");
    }
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i + 1 == parts.size() && parts[i].empty()) {
            return std::nullopt; // `istio.io.`
        }
        if (!isDns1123Label(parts[i])) {
            return problem("istio.invalid-domain-label", "domain name " + goQuote(domain) +
                                                             " invalid (label " +
                                                             goQuote(parts[i]) + " invalid)");
        }
    }
    return std::nullopt;
}

std::optional<Problem> validateFqdn(std::string_view fqdn)
{
    if (auto failed = checkDns1123Preconditions(fqdn)) {
        return failed;
    }
    return validateDns1123Labels(fqdn);
}

std::optional<Problem> validateWildcardDomain(std::string_view domain)
{
    if (auto failed = checkDns1123Preconditions(domain)) {
        return failed;
    }
    const auto dot = domain.find('.');
    const std::string_view first = domain.substr(0, dot);
    if (!isWildcardDns1123Label(first)) {
        return problem("istio.invalid-domain-label", "domain name " + goQuote(domain) +
                                                         " invalid (label " + goQuote(first) +
                                                         " invalid)");
    }
    if (dot != std::string_view::npos) {
        return validateDns1123Labels(domain.substr(dot + 1));
    }
    return std::nullopt;
}

std::optional<Problem> validatePartialWildcard(std::string_view host)
{
    if (host.find('*') != std::string_view::npos && host.size() != 1 &&
        !common::startsWith(host, "*.")) {
        return problem("istio.partial-wildcard",
                       "partial wildcard " + goQuote(host) + " not allowed");
    }
    return std::nullopt;
}

namespace {

Problems validateSidecarOrGatewayHostnamePart(std::string_view hostname, bool isGateway)
{
    Problems out;
    if (hostname != "*" && hostname.find('.') == std::string_view::npos) {
        out.push_back(problem("istio.short-host-name", "short names (non FQDN) are not allowed"));
    }
    if (auto failed = validateWildcardDomain(hostname)) {
        if (!isGateway) {
            out.push_back(*failed);
        }
        // A Gateway also accepts an IP as the host.
        if (!isValidIpAddress(hostname)) {
            out.push_back(*failed);
        }
    }
    if (auto failed = validatePartialWildcard(hostname)) {
        out.push_back(*failed);
    }
    return out;
}

} // namespace

Problems validateNamespaceSlashWildcardHostname(std::string_view hostname, bool isGateway)
{
    const auto slash = hostname.find('/');
    if (slash == std::string_view::npos) {
        if (isGateway) {
            return validateSidecarOrGatewayHostnamePart(hostname, true);
        }
        return {problem("istio.host-not-namespaced", "host must be of form namespace/dnsName")};
    }
    Problems out;
    const std::string_view nameSpace = hostname.substr(0, slash);
    const std::string_view dnsName = hostname.substr(slash + 1);
    if (nameSpace.empty() || dnsName.empty()) {
        out.push_back(problem("istio.empty-host-part",
                              "config namespace and dnsName in host entry cannot be empty"));
    }
    if (!isGateway) {
        if (nameSpace != "*" && nameSpace != "." && nameSpace != "~" &&
            !isDns1123Label(nameSpace)) {
            out.push_back(problem("istio.invalid-host-namespace",
                                  "invalid namespace value " + goQuote(nameSpace) + " in sidecar"));
        }
    } else if (nameSpace != "*" && nameSpace != "." && !isDns1123Label(nameSpace)) {
        out.push_back(problem("istio.invalid-host-namespace",
                              "invalid namespace value " + goQuote(nameSpace) + " in gateway"));
    }
    Problems part = validateSidecarOrGatewayHostnamePart(dnsName, isGateway);
    out.insert(out.end(), part.begin(), part.end());
    return out;
}

bool hostMatches(std::string_view a, std::string_view b)
{
    const bool aWild = !a.empty() && a.front() == '*';
    const bool bWild = !b.empty() && b.front() == '*';
    if (aWild) {
        if (bWild) {
            if (a.size() < b.size()) {
                return common::endsWith(b.substr(1), a.substr(1));
            }
            return common::endsWith(a.substr(1), b.substr(1));
        }
        return common::endsWith(b, a.substr(1));
    }
    if (bWild) {
        return common::endsWith(a, b.substr(1));
    }
    return a == b;
}

bool hostSubsetOf(std::string_view a, std::string_view b)
{
    const bool aWild = !a.empty() && a.front() == '*';
    const bool bWild = !b.empty() && b.front() == '*';
    if (aWild) {
        if (bWild) {
            if (a.size() < b.size()) {
                return false;
            }
            return common::endsWith(a.substr(1), b.substr(1));
        }
        return false;
    }
    if (bWild) {
        return common::endsWith(a, b.substr(1));
    }
    return a == b;
}

bool isValidIpAddress(std::string_view text)
{
    bool hasZone = false;
    return parseAddress(text, hasZone) != AddressFamily::None;
}

bool isValidIpPrefix(std::string_view text)
{
    const auto slash = text.rfind('/');
    if (slash == std::string_view::npos) {
        return false;
    }
    bool hasZone = false;
    const AddressFamily family = parseAddress(text.substr(0, slash), hasZone);
    if (family == AddressFamily::None || hasZone) {
        return false;
    }
    const std::string_view bits = text.substr(slash + 1);
    if (bits.empty() || bits.size() > 3) {
        return false;
    }
    if (bits.size() > 1 && (bits[0] < '1' || bits[0] > '9')) {
        return false;
    }
    int value = 0;
    for (const char c : bits) {
        if (!isDigit(c)) {
            return false;
        }
        value = value * 10 + (c - '0');
    }
    return value <= (family == AddressFamily::V4 ? 32 : 128);
}

std::optional<Problem> validateIpAddress(std::string_view address)
{
    if (isValidIpAddress(address)) {
        return std::nullopt;
    }
    return problem("istio.invalid-address", std::string(address) + " is not a valid IP");
}

std::optional<Problem> validateIpSubnet(std::string_view subnet)
{
    std::size_t slashes = 0;
    for (const char c : subnet) {
        slashes += c == '/' ? 1U : 0U;
    }
    if (slashes == 1) {
        if (!isValidIpPrefix(subnet)) {
            return problem("istio.invalid-cidr",
                           std::string(subnet) + " is not a valid CIDR block");
        }
        return std::nullopt;
    }
    return validateIpAddress(subnet);
}

std::optional<Problem> validateUnixAddress(std::string_view path)
{
    if (path.empty()) {
        return problem("istio.invalid-unix-address", "unix address must not be empty");
    }
    if (path.front() == '@') {
        return std::nullopt; // abstract socket
    }
    if (path.front() != '/' || path.back() == '/') {
        return problem("istio.invalid-unix-address",
                       std::string(path) + " is not an absolute path to a file");
    }
    return std::nullopt;
}

std::optional<Problem> validateSubsetName(std::string_view name)
{
    if (name.empty()) {
        return problem("istio.empty-subset-name", "subset name cannot be empty");
    }
    if (!isDns1123Label(name)) {
        return problem("istio.invalid-subset-name", "subset name is invalid: " + std::string(name));
    }
    return std::nullopt;
}

void validateLabels(ValidationContext &context, const Field &labels)
{
    for (const auto &[key, value] : labels.entries()) {
        // The key: an optional DNS-name prefix ending in '/', then a qualified name.
        const auto slash = key.find('/');
        bool keyValid = true;
        std::string_view prefix;
        std::string_view name = key;
        if (slash != std::string::npos) {
            prefix = std::string_view(key).substr(0, slash);
            name = std::string_view(key).substr(slash + 1);
            for (const std::string &label : common::split(prefix, '.')) {
                keyValid = keyValid && matchesLabelPattern(label);
            }
        }
        keyValid = keyValid && matchesQualifiedName(name);
        if (!keyValid) {
            context.error("istio.invalid-label-key", "invalid tag key: " + goQuote(key), value);
        } else if (prefix.size() > 253) {
            context.error("istio.invalid-label-key",
                          "invalid tag key: " + goQuote(key) + " (DNS prefix is too long)", value);
        } else if (name.size() > 63) {
            context.error("istio.invalid-label-key",
                          "invalid tag key: " + goQuote(key) + " (name is too long)", value);
        }
        const std::optional<std::string> text = value.string();
        if (text && !text->empty() && !matchesQualifiedName(*text)) {
            context.error("istio.invalid-label-value", "invalid tag value: " + goQuote(*text),
                          value);
        }
    }
}

std::size_t validateSelectorLabels(ValidationContext &context, const Field &labels)
{
    std::size_t errors = 0;
    for (const auto &[key, value] : labels.entries()) {
        const std::string text = value.string().value_or(std::string());
        const std::string pair = goQuote(key + "=" + text);
        if (key.empty()) {
            context.error("istio.selector-empty-key",
                          "empty key is not supported in selector: " + pair, value);
            ++errors;
        }
        if (key.find('*') != std::string::npos || text.find('*') != std::string::npos) {
            context.error("istio.selector-wildcard",
                          "wildcard is not supported in selector: " + pair, value);
            ++errors;
        }
    }
    return errors;
}

void validateExportTo(ValidationContext &context, const Field &exportTo, bool isServiceEntry,
                      bool isDestinationRuleWithSelector)
{
    const auto entries = exportTo.stringItems();
    if (entries.empty()) {
        return;
    }
    const std::string &nameSpace = context.nameSpace();
    std::set<std::string> seen;
    for (const auto &[entry, field] : entries) {
        const std::string key = entry == "." ? nameSpace : entry;
        if (seen.count(key) != 0) {
            if (key != entry) {
                context.error("istio.duplicate-export-to",
                              "duplicate entries in exportTo: . and current namespace " + nameSpace,
                              field);
            } else {
                context.error("istio.duplicate-export-to",
                              "duplicate entries in exportTo for entry " + entry, field);
            }
            continue;
        }
        if (isServiceEntry && entry == "~") {
            seen.insert(key);
        } else if (key == "~") {
            context.error("istio.export-to-none",
                          "exportTo ~ (none) is not allowed for Istio configuration objects",
                          field);
        } else if (key != "." && key != "*" && !isDns1123Label(key)) {
            context.error("istio.invalid-export-to",
                          "only .,*,~, or a valid DNS 1123 label is allowed as exportTo entry",
                          field);
        } else {
            seen.insert(key);
        }
    }
    if (isDestinationRuleWithSelector && !seen.empty()) {
        if (seen.count(nameSpace) != 0) {
            if (seen.size() > 1) {
                context.error(
                    "istio.selector-export-to",
                    "destination rule with workload selector cannot have multiple entries in "
                    "exportTo",
                    exportTo);
            }
        } else {
            context.error("istio.selector-export-to",
                          "destination rule with workload selector cannot have exportTo beyond "
                          "current namespace",
                          exportTo);
        }
    }
    if (seen.count("*") != 0 && entries.size() > 1) {
        context.error("istio.mixed-public-export-to",
                      "cannot have both public (*) and non-public exportTo values for a resource",
                      exportTo);
    }
    if (seen.count("~") != 0 && entries.size() > 1) {
        context.error("istio.mixed-none-export-to",
                      "cannot export service entry to no one (~) and someone", exportTo);
    }
}

void validateDestination(ValidationContext &context, const Field &destination)
{
    if (!destination.present()) {
        return;
    }
    const Field hostField = destination["host"];
    if (const auto host = hostField.string()) {
        if (*host == "*") {
            context.error("istio.destination-wildcard-host", "invalid destination host *",
                          hostField);
        } else {
            context.error(validateWildcardDomain(*host), hostField);
        }
    }
    const Field subsetField = destination["subset"];
    if (const auto subset = subsetField.string(); subset && !subset->empty()) {
        context.error(validateSubsetName(*subset), subsetField);
    }
    const Field port = destination["port"];
    if (port.present()) {
        const Field number = port["number"];
        if (const auto value = number.uint32()) {
            context.error(validatePort(*value), number.present() ? number : port);
        }
    }
}

} // namespace meshcraft::core::config::detail
