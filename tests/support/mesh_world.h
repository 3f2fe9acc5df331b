// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The egress-gateway lab's cluster as store contents, for the topology and control-plane tests:
// the objects the Helm release, kube-inject and the workshop's files put there, as YAML text.

#include "core/config/store.h"
#include "core/mesh/topology.h"

#include <memory>
#include <string>

namespace meshcraft::tests::world {

namespace config = meshcraft::core::config;
namespace mesh = meshcraft::core::mesh;

inline const char *const IstioSystem = R"(apiVersion: v1
kind: Namespace
metadata:
  name: istio-system
)";

/// The `istio` ConfigMap as the 1.3 chart renders it (abridged), with the given mode.
inline std::string meshConfigMap(const std::string &mode, const std::string &accessLogFile = "")
{
    return R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |-
    accessLogFile: ")" +
           accessLogFile + R"("
    connectTimeout: 10s
    outboundTrafficPolicy:
      mode: )" +
           mode + R"(
    defaultConfig:
      drainDuration: 45s
)";
}

/// The istio-egressgateway Deployment and Service the chart renders; `redisPort` adds 6379
/// (D14's values file).
inline std::string egressGateway(bool redisPort)
{
    std::string text = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: istio-egressgateway
  namespace: istio-system
  labels:
    app: istio-egressgateway
    istio: egressgateway
spec:
  replicas: 1
  selector:
    matchLabels:
      app: istio-egressgateway
      istio: egressgateway
  template:
    metadata:
      labels:
        app: istio-egressgateway
        istio: egressgateway
        release: istio
      annotations:
        sidecar.istio.io/inject: "false"
    spec:
      containers:
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.3.0
        args: [proxy, router, --domain, $(POD_NAMESPACE).svc.cluster.local]
        ports:
        - containerPort: 80
        - containerPort: 443
        - containerPort: 15443
        - containerPort: 6379
---
apiVersion: v1
kind: Service
metadata:
  name: istio-egressgateway
  namespace: istio-system
  labels:
    app: istio-egressgateway
    istio: egressgateway
spec:
  type: ClusterIP
  selector:
    app: istio-egressgateway
    istio: egressgateway
    release: istio
  ports:
  - name: http2
    port: 80
  - name: https
    port: 443
  - name: tls
    port: 15443
    targetPort: 15443
)";
    if (redisPort) {
        text += R"(  - name: tcp-redis
    port: 6379
)";
    }
    return text;
}

/// busybox after `istioctl kube-inject` (CNI on: no istio-init).
inline const char *const Busybox = R"(apiVersion: v1
kind: Pod
metadata:
  name: busybox
  namespace: default
  labels:
    run: busybox
spec:
  containers:
  - name: busybox
    image: busybox
    command: [sleep, "3600"]
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.3.0
    args: [proxy, sidecar, --domain, $(POD_NAMESPACE).svc.cluster.local]
)";

/// Online Boutique's redis-cart (kubernetes-manifests/redis.yaml), injected.
inline const char *const RedisCart = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis-cart
  namespace: default
spec:
  selector:
    matchLabels:
      app: redis-cart
  template:
    metadata:
      labels:
        app: redis-cart
    spec:
      containers:
      - name: redis
        image: redis:alpine
        ports:
        - containerPort: 6379
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.3.0
        args: [proxy, sidecar]
---
apiVersion: v1
kind: Service
metadata:
  name: redis-cart
  namespace: default
spec:
  type: ClusterIP
  selector:
    app: redis-cart
  ports:
  - name: redis
    port: 6379
    targetPort: 6379
)";

/// The workshop's cartservice Deployment, injected, with REDIS_ADDR as given.
inline std::string cartService(const std::string &redisAddr)
{
    return R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: cartservice
  namespace: default
spec:
  selector:
    matchLabels:
      app: cartservice
  template:
    metadata:
      labels:
        app: cartservice
        version: v0.1.2
    spec:
      containers:
      - name: server
        image: gcr.io/srecon19-workshop-250603/cartservice:v0.1.4
        ports:
        - containerPort: 7070
        env:
        - name: REDIS_ADDR
          value: ")" +
           redisAddr + R"("
      - name: istio-proxy
        image: docker.io/istio/proxyv2:1.3.0
        args: [proxy, sidecar]
)";
}

/// Step 8: the workshop's ServiceEntry with the instance's IP (resolution NONE).
inline const char *const ServiceEntryNone = R"(apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata:
  name: redis-serviceentry
spec:
  hosts:
  - redis.domain # not used
  addresses:
  - 10.59.118.59 # VIPs
  ports:
  - number: 6379
    name: tcp-redis
    protocol: TCP
  location: MESH_EXTERNAL
)";

/// Step 9: the workshop's Gateway (with its stray `addresses`) and DestinationRule.
inline const char *const GatewayAndRule = R"(apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata:
  name: istio-egressgateway
spec:
  selector:
    istio: egressgateway
  servers:
  - port:
      number: 6379
      name: tcp-redis
      protocol: TCP
    hosts:
    - redis.domain # not used
    addresses:
    - 10.59.118.59 # VIPs
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata:
  name: redis-egressgateway
spec:
  host: istio-egressgateway.istio-system.svc.cluster.local
  subsets:
  - name: redis-serviceentry
)";

/// Step 11 (D14): STATIC ServiceEntry with the endpoint, the Gateway, subset `redis`, and the
/// VirtualService with the two TCP routes.
inline const char *const Step11 = R"(apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata:
  name: redis-serviceentry
spec:
  hosts:
  - redis.domain
  addresses:
  - 10.59.118.59/32
  ports:
  - number: 6379
    name: tcp-redis
    protocol: TCP
  location: MESH_EXTERNAL
  resolution: STATIC
  endpoints:
  - address: 10.59.118.59
---
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata:
  name: istio-egressgateway
spec:
  selector:
    istio: egressgateway
  servers:
  - port:
      number: 6379
      name: tcp-redis
      protocol: TCP
    hosts:
    - redis.domain
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata:
  name: egressgateway-for-redis
spec:
  host: istio-egressgateway.istio-system.svc.cluster.local
  subsets:
  - name: redis
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: direct-redis-through-egress-gateway
spec:
  hosts:
  - redis.domain
  gateways:
  - mesh
  - istio-egressgateway
  tcp:
  - match:
    - gateways:
      - mesh
      destinationSubnets:
      - 10.59.118.59/32
      port: 6379
    route:
    - destination:
        host: istio-egressgateway.istio-system.svc.cluster.local
        subset: redis
        port:
          number: 6379
  - match:
    - gateways:
      - istio-egressgateway
      port: 6379
    route:
    - destination:
        host: redis.domain
        port:
          number: 6379
      weight: 100
)";

/// A store with the lab's starting cluster, and the topology over it.
class World
{
public:
    World()
    {
        store.createSystemNamespaces();
        apply(IstioSystem, "istio-system.yaml");
        topology = std::make_unique<mesh::Topology>(store);
    }

    /// Applies YAML as Tiller or kubectl would, without webhook validation.
    config::ApplyResult apply(const std::string &text, const std::string &file = "lab.yaml")
    {
        config::ApplyOptions options;
        options.validate = false;
        return store.applyText(text, file, config::ApplyMode::PerDocument, options);
    }

    config::ApplyResult replace(const std::string &text, const std::string &file = "lab.yaml")
    {
        config::ApplyOptions options;
        options.validate = false;
        return store.replaceText(text, file, config::ApplyMode::PerDocument, options);
    }

    /// The lab before step 4's apply: Istio installed (with the mode), redis-cart and
    /// cartservice running, busybox injected.
    void install(const std::string &mode = "ALLOW_ANY", bool gatewayRedisPort = false)
    {
        apply(meshConfigMap(mode), "istio-configmap.yaml");
        apply(egressGateway(gatewayRedisPort), "istio-egressgateway.yaml");
        apply(RedisCart, "redis-cart.yaml");
        apply(cartService("redis-cart:6379"), "cartservice-deployment.yaml");
        apply(Busybox, "busybox.yaml");
    }

    config::Store store;
    std::unique_ptr<mesh::Topology> topology;
};

} // namespace meshcraft::tests::world
