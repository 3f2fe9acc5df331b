// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/shell/interpreter.h"
#include "core/shell/tools/tool_state.h"
#include "core/shell/world.h"

#include <memory>

namespace meshcraft::core::shell::tools {

struct WorldToolsOptions
{
    /// Told (on the interpreter's thread) when a telnet, nc or redis-cli run in a pod ends,
    /// with its outcome and trace: what the lab's observed-outcome checks need (D12).
    ProbeFinishedHandler onProbeFinished;
};

/// Adds gcloud, kubectl, istioctl and helm, acting on `world`, to `registry`. The commands
/// share the returned state; keep `world` alive for as long as the registry holds them
/// (destroy the interpreter before the world).
std::shared_ptr<ToolState> registerWorldTools(CommandRegistry &registry, World &world,
                                              WorldToolsOptions options = {});

/// The same on the interpreter's host shell, plus the resource-name provider for Tab
/// (`kubectl get pods <TAB>`).
std::shared_ptr<ToolState> registerWorldTools(Interpreter &interpreter, World &world,
                                              WorldToolsOptions options = {});

/// Puts the Istio 1.3 release's chart folder where the workshop unpacked it,
/// `<workshopHome>/istio-<version>/install/kubernetes/helm/istio` (with its Chart.yaml), so
/// `helm upgrade … istio $WORKSHOP_HOME/istio-$ISTIO_VERSION/install/kubernetes/helm/istio`
/// finds it. For the lab loader.
void installIstioChart(VirtualFs &fs, const std::string &workshopHome,
                       const std::string &istioVersion = "1.3.0");

} // namespace meshcraft::core::shell::tools
