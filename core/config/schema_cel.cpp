// SPDX-License-Identifier: GPL-3.0-or-later
// The CEL rules (x-kubernetes-validations) of Istio's networking CRDs, written by hand. We do not
// embed a CEL interpreter: the five kinds carry 19 distinct rules, each a few lines of C++, and
// the schema tests fail when the shipped schema gains a rule that is missing here.
#include "core/config/schema_cel.h"

#include "core/common/text.h"

#include <array>
#include <cstddef>

namespace meshcraft::core::config {

namespace {

CelOutcome pass()
{
    return {};
}

CelOutcome check(bool holds)
{
    return CelOutcome{holds ? CelOutcome::Pass : CelOutcome::Fail, {}};
}

// `has(self.field)`: present after the API server pruned non-nullable nulls.
bool has(const Node &self, std::string_view field)
{
    const Node *value = self.find(field);
    return value && !value->isNullValue();
}

std::string_view stringField(const Node &self, std::string_view field, std::string_view fallback)
{
    const Node *value = self.find(field);
    return value && value->isScalar() && !value->isNullValue() ? std::string_view(value->scalar)
                                                               : fallback;
}

bool contains(std::string_view text, std::string_view part)
{
    return text.find(part) != std::string_view::npos;
}

using common::endsWith;
using common::startsWith;

std::size_t listSize(const Node *list)
{
    return list && list->isSequence() ? list->items.size() : 0;
}

std::optional<double> numberOf(const Node &node)
{
    return node.asDouble();
}

// ---- the rules ----------------------------------------------------------------------------

CelOutcome onlyWorkloadSelectorOrEndpoints(const Node &self)
{
    return check((has(self, "workloadSelector") ? 1 : 0) + (has(self, "endpoints") ? 1 : 0) <= 1);
}

CelOutcome cidrOnlyForNoneOrStatic(const Node &self)
{
    bool anyCidr = false;
    if (has(self, "addresses")) {
        for (const Node &address : self.find("addresses")->items) {
            anyCidr = anyCidr || contains(address.scalar, "/");
        }
    }
    const std::string_view resolution = stringField(self, "resolution", "NONE");
    return check(!(anyCidr && resolution != "STATIC" && resolution != "NONE"));
}

CelOutcome noneModeHasNoEndpoints(const Node &self)
{
    if (stringField(self, "resolution", "NONE") != "NONE") {
        return pass();
    }
    return check(!has(self, "endpoints"));
}

CelOutcome roundRobinAtMostOneEndpoint(const Node &self)
{
    if (stringField(self, "resolution", "") != "DNS_ROUND_ROBIN") {
        return pass();
    }
    return check(listSize(has(self, "endpoints") ? self.find("endpoints") : nullptr) <= 1);
}

CelOutcome endpointHasAddressOrNetwork(const Node &self)
{
    return check(has(self, "address") || has(self, "network"));
}

CelOutcome udsEndpointHasNoPorts(const Node &self)
{
    if (!startsWith(stringField(self, "address", ""), "unix://")) {
        return pass();
    }
    return check(!has(self, "ports"));
}

CelOutcome udsIsAbsoluteOrAbstract(const Node &self)
{
    const std::string_view address = self.scalar;
    if (!startsWith(address, "unix://")) {
        return pass();
    }
    // self.substring(7, 8): cel-go refuses an end index past the last code point.
    if (codePoints(address) < 8) {
        return CelOutcome{CelOutcome::Error, "index out of range: 8"};
    }
    const char next = address[7];
    return check(next == '/' || next == '@');
}

CelOutcome udsIsNotADirectory(const Node &self)
{
    const std::string_view address = self.scalar;
    return check(!startsWith(address, "unix://") || !endsWith(address, "/"));
}

// ^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$
bool isPortName(std::string_view name)
{
    const auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (name.empty() || !alnum(name.front()) || !alnum(name.back())) {
        return false;
    }
    for (const char c : name) {
        if (!alnum(c) && c != '-') {
            return false;
        }
    }
    return true;
}

CelOutcome endpointPortNamesValid(const Node &self)
{
    for (const MapEntry &entry : self.entries) {
        if (!(codePoints(entry.key) < 63 && isPortName(entry.key))) {
            return check(false);
        }
    }
    return pass();
}

CelOutcome portInRange(const Node &self)
{
    const auto value = numberOf(self);
    return check(value && *value > 0 && *value <= 65535);
}

CelOutcome hostIsNotWildcard(const Node &self)
{
    return check(self.scalar != "*");
}

CelOutcome portNumbersUnique(const Node &self)
{
    for (const Node &first : self.items) {
        const Node *number = first.find("number");
        int matches = 0;
        for (const Node &second : self.items) {
            const Node *other = second.find("number");
            if (number && other && numberOf(*number) == numberOf(*other)) {
                ++matches;
            }
        }
        if (matches != 1) {
            return check(false);
        }
    }
    return pass();
}

CelOutcome valueHasNoWildcard(const Node &self)
{
    return check(!contains(self.scalar, "*"));
}

CelOutcome keysHaveNoWildcard(const Node &self)
{
    for (const MapEntry &entry : self.entries) {
        if (contains(entry.key, "*")) {
            return check(false);
        }
    }
    return pass();
}

CelOutcome keysAreNotEmpty(const Node &self)
{
    for (const MapEntry &entry : self.entries) {
        if (entry.key.empty()) {
            return check(false);
        }
    }
    return pass();
}

CelOutcome atMostOne(const Node &self, std::string_view a, std::string_view b)
{
    return check((has(self, a) ? 1 : 0) + (has(self, b) ? 1 : 0) <= 1);
}

CelOutcome onlyTlsCertificatesOrCredentialNames(const Node &self)
{
    return atMostOne(self, "tlsCertificates", "credentialNames");
}

CelOutcome onlyCredentialNameOrCredentialNames(const Node &self)
{
    return atMostOne(self, "credentialName", "credentialNames");
}

CelOutcome onlyCredentialNamesOrTlsCertificates(const Node &self)
{
    return atMostOne(self, "credentialNames", "tlsCertificates");
}

// duration(self) >= duration('1ms'): the one rule every duration field carries.
CelOutcome durationAtLeastOneMillisecond(const Node &self)
{
    const auto nanos = parseGoDuration(self.scalar);
    if (!nanos) {
        return CelOutcome{CelOutcome::Error,
                          "type conversion error from 'string' to 'google.protobuf.Duration'"};
    }
    return check(*nanos >= 1'000'000);
}

constexpr std::string_view Cel = "schema.cel";

const std::array Table = {
    CelRuleImpl{"(has(self.workloadSelector) ? 1 : 0) + (has(self.endpoints) ? 1 : 0) <= 1", Cel,
                onlyWorkloadSelectorOrEndpoints},
    CelRuleImpl{"!((has(self.addresses) ? self.addresses : []).exists(k, k.contains(\"/\")) && "
                "!((has(self.resolution) ? self.resolution : \"NONE\") in [\"STATIC\", "
                "\"NONE\"]))",
                Cel, cidrOnlyForNoneOrStatic},
    CelRuleImpl{"((has(self.resolution) ? self.resolution : \"NONE\") == \"NONE\") ? "
                "!has(self.endpoints) : true",
                Cel, noneModeHasNoEndpoints},
    CelRuleImpl{"((has(self.resolution) ? self.resolution : \"\") == \"DNS_ROUND_ROBIN\") ? "
                "((has(self.endpoints) ? self.endpoints : []).size() <= 1) : true",
                Cel, roundRobinAtMostOneEndpoint},
    CelRuleImpl{"has(self.address) || has(self.network)", Cel, endpointHasAddressOrNetwork},
    CelRuleImpl{"(has(self.address) ? self.address : \"\").startsWith(\"unix://\") ? "
                "!has(self.ports) : true",
                Cel, udsEndpointHasNoPorts},
    CelRuleImpl{"self.startsWith(\"unix://\") ? (self.substring(7, 8) == \"/\" || "
                "self.substring(7, 8) == \"@\") : true",
                Cel, udsIsAbsoluteOrAbstract},
    CelRuleImpl{"self.startsWith(\"unix://\") ? !self.endsWith(\"/\") : true", Cel,
                udsIsNotADirectory},
    CelRuleImpl{"self.all(key, size(key) < 63 && "
                "key.matches(\"^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$\"))",
                Cel, endpointPortNamesValid},
    CelRuleImpl{"0 < self && self <= 65535", Cel, portInRange},
    CelRuleImpl{"self != \"*\"", Cel, hostIsNotWildcard},
    CelRuleImpl{"self.all(l1, self.exists_one(l2, l1.number == l2.number))", Cel,
                portNumbersUnique},
    CelRuleImpl{"!self.contains(\"*\")", Cel, valueHasNoWildcard},
    CelRuleImpl{"self.all(key, !key.contains(\"*\"))", Cel, keysHaveNoWildcard},
    CelRuleImpl{"self.all(key, key.size() != 0)", Cel, keysAreNotEmpty},
    CelRuleImpl{"(has(self.tlsCertificates) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1",
                Cel, onlyTlsCertificatesOrCredentialNames},
    CelRuleImpl{"(has(self.credentialName) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1",
                Cel, onlyCredentialNameOrCredentialNames},
    CelRuleImpl{"(has(self.credentialNames) ? 1 : 0) + (has(self.tlsCertificates) ? 1 : 0) <= 1",
                Cel, onlyCredentialNamesOrTlsCertificates},
    CelRuleImpl{"duration(self) >= duration('1ms')", "schema.duration",
                durationAtLeastOneMillisecond},
};

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

// Compares rule texts with every run of whitespace counting as one space, so a schema that
// folds a long rule differently still finds its implementation.
bool sameRule(std::string_view a, std::string_view b)
{
    std::size_t i = 0;
    std::size_t j = 0;
    const auto skip = [](std::string_view text, std::size_t &at) {
        bool skipped = false;
        while (at < text.size() && isSpace(text[at])) {
            ++at;
            skipped = true;
        }
        return skipped;
    };
    skip(a, i);
    skip(b, j);
    while (i < a.size() && j < b.size()) {
        const bool spaceA = skip(a, i);
        const bool spaceB = skip(b, j);
        if (spaceA != spaceB) {
            return false;
        }
        if (i == a.size() || j == b.size()) {
            break;
        }
        if (a[i] != b[j]) {
            return false;
        }
        ++i;
        ++j;
    }
    skip(a, i);
    skip(b, j);
    return i == a.size() && j == b.size();
}

// Go's leadingInt: digits to a value below 2^63, or nullopt on overflow.
std::optional<std::uint64_t> leadingInt(std::string_view &text)
{
    constexpr std::uint64_t Limit = std::uint64_t{1} << 63U;
    std::uint64_t value = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        if (value > Limit / 10) {
            return std::nullopt;
        }
        value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
        if (value > Limit) {
            return std::nullopt;
        }
    }
    text.remove_prefix(i);
    return value;
}

std::optional<std::uint64_t> unitNanos(std::string_view unit)
{
    struct Unit
    {
        std::string_view name;
        std::uint64_t nanos;
    };
    static constexpr std::array<Unit, 8> Units = {{
        {"ns", 1},
        {"us", 1'000},
        {"\xC2\xB5s", 1'000}, // U+00B5 micro sign
        {"\xCE\xBCs", 1'000}, // U+03BC Greek small letter mu
        {"ms", 1'000'000},
        {"s", 1'000'000'000},
        {"m", 60'000'000'000},
        {"h", 3'600'000'000'000},
    }};
    for (const Unit &candidate : Units) {
        if (candidate.name == unit) {
            return candidate.nanos;
        }
    }
    return std::nullopt;
}

} // namespace

std::span<const CelRuleImpl> celRuleTable()
{
    return Table;
}

const CelRuleImpl *findCelRule(std::string_view ruleText)
{
    for (const CelRuleImpl &impl : Table) {
        if (sameRule(impl.rule, ruleText)) {
            return &impl;
        }
    }
    return nullptr;
}

std::size_t codePoints(std::string_view text)
{
    std::size_t count = 0;
    for (const char c : text) {
        if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) {
            ++count;
        }
    }
    return count;
}

std::optional<std::int64_t> parseGoDuration(std::string_view text)
{
    constexpr std::uint64_t Limit = std::uint64_t{1} << 63U;
    bool negative = false;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    if (text == "0") {
        return 0;
    }
    if (text.empty()) {
        return std::nullopt;
    }
    std::uint64_t total = 0;
    while (!text.empty()) {
        if (!(text.front() == '.' || (text.front() >= '0' && text.front() <= '9'))) {
            return std::nullopt;
        }
        const std::size_t before = text.size();
        const auto whole = leadingInt(text);
        if (!whole) {
            return std::nullopt;
        }
        const bool pre = text.size() != before;
        std::uint64_t fraction = 0;
        double scale = 1;
        bool post = false;
        if (!text.empty() && text.front() == '.') {
            text.remove_prefix(1);
            std::size_t i = 0;
            bool overflow = false;
            for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
                if (overflow || fraction > (Limit - 1) / 10) {
                    overflow = true; // Go drops digits it cannot hold
                    continue;
                }
                fraction = fraction * 10 + static_cast<std::uint64_t>(text[i] - '0');
                scale *= 10;
            }
            post = i > 0;
            text.remove_prefix(i);
        }
        if (!pre && !post) {
            return std::nullopt;
        }
        std::size_t unitEnd = 0;
        while (unitEnd < text.size() && text[unitEnd] != '.' &&
               !(text[unitEnd] >= '0' && text[unitEnd] <= '9')) {
            ++unitEnd;
        }
        const auto unit = unitNanos(text.substr(0, unitEnd));
        if (unitEnd == 0 || !unit) {
            return std::nullopt;
        }
        text.remove_prefix(unitEnd);
        if (*whole > Limit / *unit) {
            return std::nullopt;
        }
        std::uint64_t value = *whole * *unit;
        if (fraction > 0) {
            value += static_cast<std::uint64_t>(static_cast<double>(fraction) *
                                                (static_cast<double>(*unit) / scale));
            if (value > Limit) {
                return std::nullopt;
            }
        }
        total += value;
        if (total > Limit) {
            return std::nullopt;
        }
    }
    if (negative) {
        return total == Limit ? INT64_MIN : -static_cast<std::int64_t>(total);
    }
    if (total > Limit - 1) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(total);
}

} // namespace meshcraft::core::config
