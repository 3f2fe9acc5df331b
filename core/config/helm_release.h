// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"
#include "core/common/result.h"
#include "core/config/helm_values.h"
#include "core/config/store.h"

#include <string>
#include <vector>

namespace meshcraft::core::config {

struct HelmUpgradeOptions
{
    HelmValuesInput values;
    bool reuseValues = false; ///< --reuse-values
    bool resetValues = false; ///< --reset-values
};

struct HelmOutcome
{
    int revision = 0;
    /// Simulator notes (severity Info): helm.unknown-key, helm.values-reset.
    common::Diagnostics notes;
    /// What rendering did to the store.
    ApplyResult rendered;
};

/// A model of one Helm 2 release (Tiller's view): its user-supplied values and revision, and
/// the objects it renders into the store. Rendering is one batch apply without webhook
/// validation, as Tiller writes; objects the release no longer renders are deleted in the
/// same change set. Like Tiller's two-way merge, an object whose rendering did not change
/// since the last release is left as it is live, so a `kubectl replace` of the `istio`
/// ConfigMap survives an upgrade that renders the same ConfigMap.
///
/// Upgrade semantics (D2): with --reuse-values the new values merge over the current ones;
/// with --reset-values only the new ones count; with neither, real Helm 2 would re-render
/// from the chart's defaults plus the new values, but Meshcraft keeps the current values
/// and returns a helm.values-reset note listing what real Helm would have reset.
class HelmRelease
{
public:
    /// The workshop's release is `istio`, chart istio-1.3.0, in istio-system.
    HelmRelease(Store &store, const HelmChart &chart, std::string name = "istio",
                std::string nameSpace = "istio-system");

    /// `helm install <chart> --name istio --namespace istio-system [values]`.
    common::Result<HelmOutcome> install(const HelmValuesInput &values);
    /// `helm upgrade istio <chart> [options]`.
    common::Result<HelmOutcome> upgrade(const HelmUpgradeOptions &options);

    bool isInstalled() const { return m_revision > 0; }
    int revision() const { return m_revision; }
    const std::string &name() const { return m_name; }
    const std::string &nameSpace() const { return m_nameSpace; }
    /// "istio-1.3.0".
    std::string chartName() const;

    /// The user-supplied values (`helm get values istio`).
    const Node &getValues() const { return m_values; }
    /// The chart's defaults coalesced with them (`helm get values --all istio`).
    Node computedValues() const;
    /// The objects the current values render (what Tiller would send), without applying.
    std::vector<Resource> renderManifests() const;

private:
    common::Result<HelmOutcome> commit(Node values, common::Diagnostics notes);
    common::Diagnostics resetNote(const Node &supplied) const;

    Store &m_store;
    const HelmChart &m_chart;
    std::string m_name;
    std::string m_nameSpace;
    int m_revision = 0;
    Node m_values = Node::makeMap();
    std::vector<Resource> m_lastRendered; ///< the objects of the last release
};

/// The `mesh` text the chart's configmap template renders from these (coalesced) values.
std::string renderMeshConfigText(const Node &values, const std::string &releaseNamespace);

} // namespace meshcraft::core::config
