// SPDX-License-Identifier: GPL-3.0-or-later
// ServiceEntries whose TCP ports need addresses (Istio's serviceentry.ProtocolAddressesAnalyzer).
#include "core/config/analyzer_p.h"
#include "core/config/istio_types.h"

namespace meshcraft::core::config::detail {

void analyzeServiceEntryAddresses(AnalysisContext &context)
{
    for (const AnalyzedObject *object : context.objects(Kind::ServiceEntry)) {
        const auto entry = serviceEntryFrom(*object->resource);
        // Istio 1.3's mesh config captures no DNS, so no address is ever auto-allocated.
        if (!entry->addresses.empty()) {
            continue;
        }
        for (std::size_t i = 0; i < entry->ports.size(); ++i) {
            const std::string &protocol = entry->ports[i].protocol;
            if (protocol.empty() || protocol == "TCP") {
                context.report(*object, ServiceEntryAddressesRequired,
                               "ServiceEntry addresses are required for this protocol.",
                               context.fieldLine(*object, {"spec", "ports", i, "name"}));
            }
        }
    }
}

} // namespace meshcraft::core::config::detail
