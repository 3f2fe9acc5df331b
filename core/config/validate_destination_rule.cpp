// SPDX-License-Identifier: GPL-3.0-or-later
// DestinationRule, as Istio's ValidateDestinationRule (istio-behaviour.md §5.3).
#include "core/config/validate_kinds_p.h"
#include "core/config/validation_primitives.h"

#include <set>

namespace meshcraft::core::config::detail {

namespace {

bool anyPresent(const Field &field, std::initializer_list<std::string_view> keys)
{
    for (std::string_view key : keys) {
        const Field member = field[key];
        if (member.isSequence() ? member.size() > 0 : member.present()) {
            return true;
        }
    }
    return false;
}

void validatePortTrafficPolicies(ValidationContext &context, const Field &settings)
{
    for (const Field &policy : settings.items()) {
        if (!policy.present()) {
            context.error("istio.null-traffic-policy", "traffic policy may not be null", policy);
            continue;
        }
        if (!policy["port"].present()) {
            context.error("istio.port-traffic-policy-port",
                          "portTrafficPolicy must have valid port", policy["port"]);
        }
        if (!anyPresent(policy, {"outlierDetection", "connectionPool", "loadBalancer", "tls"})) {
            context.error("istio.empty-port-traffic-policy",
                          "port traffic policy must have at least one field", policy);
        }
    }
}

void validateTrafficPolicy(ValidationContext &context, const Field &policy)
{
    if (!policy.present() || !policy.isMap()) {
        return;
    }
    if (!anyPresent(policy, {"outlierDetection", "connectionPool", "loadBalancer", "tls",
                             "portLevelSettings", "tunnel", "proxyProtocol", "retryBudget"})) {
        context.error("istio.empty-traffic-policy", "traffic policy must have at least one field",
                      policy);
        return;
    }
    if (policy["tunnel"].present() && policy["proxyProtocol"].present()) {
        context.error("istio.tunnel-and-proxy-protocol",
                      "tunnel and proxyProtocol must not be set together", policy);
        return;
    }
    validatePortTrafficPolicies(context, policy["portLevelSettings"]);
}

} // namespace

void validateDestinationRule(ValidationContext &context)
{
    const Field spec = context.spec();
    const Field hostField = spec["host"];
    if (const auto host = hostField.string()) {
        context.error(validateWildcardDomain(*host), hostField);
    }
    validateTrafficPolicy(context, spec["trafficPolicy"]);

    std::set<std::string> names;
    for (const Field &subset : spec["subsets"].items()) {
        if (!subset.present()) {
            context.error("istio.subset-null", "subset may not be null", subset);
            continue;
        }
        const Field nameField = subset["name"];
        const auto name = nameField.string();
        if (name && !names.insert(*name).second) {
            context.error("istio.duplicate-subset-name", "duplicate subset names: " + *name,
                          nameField);
        }
        if (name) {
            context.error(validateSubsetName(*name), nameField);
        }
        validateLabels(context, subset["labels"]);
        validateTrafficPolicy(context, subset["trafficPolicy"]);
    }

    const Field selector = spec["workloadSelector"];
    validateExportTo(context, spec["exportTo"], false, selector.present());

    if (selector.present()) {
        const Field matchLabels = selector["matchLabels"];
        validateSelectorLabels(context, matchLabels);
        if (matchLabels.size() == 0) {
            context.warning("istio.selector-without-labels",
                            "workload selector specified without labels", selector);
        }
    }
}

} // namespace meshcraft::core::config::detail
