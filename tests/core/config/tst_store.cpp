// SPDX-License-Identifier: GPL-3.0-or-later
// The store's kubectl semantics, the two ways to apply, revisions and observers, and the
// typed views of the resources it holds.
#include "core/config/istio_types.h"
#include "core/config/k8s_types.h"
#include "core/config/store.h"
#include "core/config/validator.h"

#include <QtTest>

using namespace meshcraft::core;
using namespace meshcraft::core::config;

namespace {

// Stands in for the real validators: refuses the workshop's unreplaced placeholder and
// warns about a Gateway server's `addresses`, which Istio's schema does not know.
class PlaceholderValidator : public ResourceValidator
{
public:
    common::Diagnostics validate(const Resource &resource) const override
    {
        common::Diagnostics out;
        if (const auto entry = serviceEntryFrom(resource)) {
            for (const MarkedString &address : entry->addresses) {
                if (address.value == "REDIS_ENDPOINT") {
                    out.push_back({common::Severity::Error,
                                   "istio.invalid-address",
                                   address.value + " is not a valid IP",
                                   {resource.file, address.mark.line, address.mark.column},
                                   "spec.addresses[0]"});
                }
            }
        }
        if (resource.kind == Kind::Gateway && resource.spec() && resource.spec()->find("servers") &&
            !resource.spec()->find("servers")->items.empty() &&
            resource.spec()->find("servers")->items[0].find("addresses")) {
            out.push_back({common::Severity::Warning, "schema.unknown-field",
                           "unknown field \"spec.servers[0].addresses\"", resource.location(),
                           "spec.servers[0].addresses"});
        }
        return out;
    }
};

class RecordingObserver : public StoreObserver
{
public:
    void onStoreChanged(const StoreChange &change) override { changes.push_back(change); }
    std::vector<StoreChange> changes;
};

const char *const ServiceEntryYaml = R"(apiVersion: networking.istio.io/v1alpha3
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

const char *const GatewayYaml = R"(apiVersion: networking.istio.io/v1alpha3
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
)";

const char *const PodYaml = R"(apiVersion: v1
kind: Pod
metadata:
  name: busybox
spec:
  containers:
  - name: busybox
    image: busybox
    command: ["sleep", "3600"]
)";

const char *const DeploymentYaml = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: cartservice
spec:
  selector:
    matchLabels:
      app: cartservice
  template:
    metadata:
      labels:
        app: cartservice
    spec:
      containers:
      - name: server
        image: gcr.io/srecon19-workshop-250603/cartservice:v0.1.4
        ports:
        - containerPort: 7070
        env:
        - name: REDIS_ADDR
          value: "redis-cart:6379"
)";

// A file whose first document is valid and whose second has the placeholder left in.
const char *const TwoDocumentsSecondInvalid = R"(apiVersion: networking.istio.io/v1alpha3
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
kind: ServiceEntry
metadata:
  name: redis-serviceentry
spec:
  hosts:
  - redis.domain
  addresses:
  - REDIS_ENDPOINT
  ports:
  - number: 6379
    name: tcp-redis
    protocol: TCP
)";

QStringList lines(const ApplyResult &result)
{
    QStringList out;
    for (const std::string &line : result.outputLines()) {
        out << QString::fromStdString(line);
    }
    return out;
}

std::string replaced(std::string text, const std::string &from, const std::string &to)
{
    text.replace(text.find(from), from.size(), to);
    return text;
}

} // namespace

class tst_Store : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void batchWithInvalidDocumentChangesNothing();
    void perDocumentAppliesFirstAndReportsSecond();
    void applyActions_data();
    void applyActions();
    void storeErrors_data();
    void storeErrors();
    void namespaces_data();
    void namespaces();
    void observersToldOncePerChangeSet_data();
    void observersToldOncePerChangeSet();
    void revisionsAndResourceVersions();
    void warningsPassAndAreReturned();
    void realValidatorRefusesWorkshopPlaceholder();
    void podsAndDeploymentsStoredListedReplaced();
    void deletingNamespaceDeletesItsObjects();
    void typedServiceEntryKeepsPositions();
    void typedVirtualServiceAndDestinationRule();
    void typedKubernetesObjects();
    void typedReadingIsTolerant();
    void shortHostsExpand_data();
    void shortHostsExpand();

private:
    Store *m_store = nullptr;
    PlaceholderValidator m_validator;
};

void tst_Store::init()
{
    m_store = new Store;
    m_store->setValidator(&m_validator);
    m_store->createSystemNamespaces();
}

void tst_Store::cleanup()
{
    delete m_store;
    m_store = nullptr;
}

void tst_Store::batchWithInvalidDocumentChangesNothing()
{
    const std::int64_t revision = m_store->revision();
    const std::size_t objects = m_store->size();
    const ApplyResult result =
        m_store->applyText(TwoDocumentsSecondInvalid, "redis-egress.yaml", ApplyMode::Batch);

    QVERIFY(!result.ok());
    QVERIFY(!result.changed);
    QCOMPARE(m_store->revision(), revision);
    QCOMPARE(result.revision, revision);
    QCOMPARE(m_store->size(), objects);
    QVERIFY(!m_store->get(Kind::Gateway, "default", "istio-egressgateway"));
    QVERIFY(!m_store->get(Kind::ServiceEntry, "default", "redis-serviceentry"));
    QCOMPARE(int(result.documents.size()), 2);
    QCOMPARE(result.documents[0].action, Action::NotApplied);
    QCOMPARE(result.documents[1].action, Action::Failed);
    QCOMPARE(result.documents[1].diagnostics.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(result.documents[1].diagnostics[0].toString()),
             QStringLiteral("redis-egress.yaml:24:5: error: REDIS_ENDPOINT is not a valid IP "
                            "[istio.invalid-address]"));
}

void tst_Store::perDocumentAppliesFirstAndReportsSecond()
{
    const std::int64_t revision = m_store->revision();
    const ApplyResult result =
        m_store->applyText(TwoDocumentsSecondInvalid, "redis-egress.yaml", ApplyMode::PerDocument);

    QVERIFY(!result.ok());
    QVERIFY(result.changed);
    QCOMPARE(m_store->revision(), revision + 1);
    QVERIFY(m_store->get(Kind::Gateway, "default", "istio-egressgateway"));
    QVERIFY(!m_store->get(Kind::ServiceEntry, "default", "redis-serviceentry"));
    QCOMPARE(result.documents[0].action, Action::Created);
    QCOMPARE(result.documents[1].action, Action::Failed);
    QCOMPARE(lines(result),
             QStringList({"gateway.networking.istio.io/istio-egressgateway created",
                          "Error from server: error when creating \"redis-egress.yaml\": "
                          "admission webhook \"validation.istio.io\" denied the request: "
                          "configuration is invalid: REDIS_ENDPOINT is not a valid IP"}));
}

void tst_Store::applyActions_data()
{
    QTest::addColumn<QString>("first");
    QTest::addColumn<bool>("firstWithCreate");
    QTest::addColumn<QString>("second");
    QTest::addColumn<QStringList>("expected");

    const QString se = ServiceEntryYaml;
    QTest::addRow("apply-new-created")
        << QString() << false << se
        << QStringList{"serviceentry.networking.istio.io/redis-serviceentry created"};
    QTest::addRow("apply-same-unchanged")
        << se << false << se
        << QStringList{"serviceentry.networking.istio.io/redis-serviceentry unchanged"};
    QTest::addRow("apply-changed-configured")
        << se << false
        << QString::fromStdString(replaced(ServiceEntryYaml, "MESH_EXTERNAL", "MESH_INTERNAL"))
        << QStringList{"serviceentry.networking.istio.io/redis-serviceentry configured"};
    QTest::addRow("apply-reordered-and-recommented-unchanged")
        << se << false
        << QString::fromStdString(
               replaced(replaced(ServiceEntryYaml, "  location: MESH_EXTERNAL\n", ""), "spec:\n",
                        "spec:\n  location: MESH_EXTERNAL # moved\n"))
        << QStringList{"serviceentry.networking.istio.io/redis-serviceentry unchanged"};
    QTest::addRow("apply-with-server-fields-unchanged")
        << se << false
        << QString::fromStdString(replaced(ServiceEntryYaml, "  name: redis-serviceentry\n",
                                           "  name: redis-serviceentry\n  namespace: default\n"
                                           "  resourceVersion: \"42\"\n  uid: abc\n")) +
               "status: {}\n"
        << QStringList{"serviceentry.networking.istio.io/redis-serviceentry unchanged"};
    QTest::addRow("apply-after-create-warns-and-configures")
        << QString(PodYaml) << true << QString(PodYaml)
        << QStringList{"Warning: resource pods/busybox is missing the "
                       "kubectl.kubernetes.io/last-applied-configuration annotation which is "
                       "required by kubectl apply. kubectl apply should only be used on "
                       "resources created declaratively by either kubectl create --save-config "
                       "or kubectl apply. The missing annotation will be patched automatically.",
                       "pod/busybox configured"};
}

void tst_Store::applyActions()
{
    QFETCH(QString, first);
    QFETCH(bool, firstWithCreate);
    QFETCH(QString, second);
    QFETCH(QStringList, expected);

    if (!first.isEmpty()) {
        const ApplyResult setup =
            firstWithCreate
                ? m_store->createText(first.toStdString(), "f.yaml", ApplyMode::PerDocument)
                : m_store->applyText(first.toStdString(), "f.yaml", ApplyMode::PerDocument);
        QVERIFY(setup.ok());
    }
    const std::int64_t revision = m_store->revision();
    const ApplyResult result =
        m_store->applyText(second.toStdString(), "f.yaml", ApplyMode::PerDocument);
    QVERIFY(result.ok());
    QCOMPARE(lines(result), expected);
    const bool unchanged = result.documents[0].action == Action::Unchanged;
    QCOMPARE(result.changed, !unchanged);
    QCOMPARE(m_store->revision(), unchanged ? revision : revision + 1);
}

void tst_Store::storeErrors_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("verb");
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("line");

    const QString se = ServiceEntryYaml;
    QTest::addRow("create-already-exists")
        << se << "create" << se << "k8s.already-exists"
        << "Error from server (AlreadyExists): error when creating \"f.yaml\": "
           "serviceentries.networking.istio.io \"redis-serviceentry\" already exists";
    QTest::addRow("create-pod-already-exists")
        << QString(PodYaml) << "create" << QString(PodYaml) << "k8s.already-exists"
        << "Error from server (AlreadyExists): error when creating \"f.yaml\": pods "
           "\"busybox\" already exists";
    QTest::addRow("replace-not-found")
        << QString() << "replace" << QString(DeploymentYaml) << "k8s.not-found"
        << "Error from server (NotFound): error when replacing \"f.yaml\": "
           "deployments.apps \"cartservice\" not found";
    QTest::addRow("delete-not-found")
        << QString() << "delete" << se << "k8s.not-found"
        << "Error from server (NotFound): error when deleting \"f.yaml\": "
           "serviceentries.networking.istio.io \"redis-serviceentry\" not found";
    QTest::addRow("delete-gateway-not-found")
        << QString() << "delete" << QString(GatewayYaml) << "k8s.not-found"
        << "Error from server (NotFound): error when deleting \"f.yaml\": "
           "gateways.networking.istio.io \"istio-egressgateway\" not found";
    QTest::addRow("create-succeeds") << QString() << "create" << se << QString()
                                     << "serviceentry.networking.istio.io/redis-serviceentry "
                                        "created";
    QTest::addRow("replace-succeeds")
        << QString(DeploymentYaml) << "replace"
        << QString::fromStdString(replaced(DeploymentYaml, "redis-cart:6379", "10.59.118.59:6379"))
        << QString() << "deployment.apps/cartservice replaced";
    QTest::addRow("replace-stale-resource-version-conflicts")
        << QString(DeploymentYaml) << "replace"
        << QString::fromStdString(replaced(DeploymentYaml, "  name: cartservice\n",
                                           "  name: cartservice\n  resourceVersion: \"1\"\n"))
        << "k8s.conflict"
        << "Error from server (Conflict): error when replacing \"f.yaml\": Operation cannot be "
           "fulfilled on deployments.apps \"cartservice\": the object has been modified; please "
           "apply your changes to the latest version and try again";
    QTest::addRow("delete-succeeds") << QString(PodYaml) << "delete" << QString(PodYaml)
                                     << QString() << "pod \"busybox\" deleted";
    QTest::addRow("delete-istio-succeeds")
        << se << "delete" << se << QString()
        << "serviceentry.networking.istio.io \"redis-serviceentry\" deleted";
}

void tst_Store::storeErrors()
{
    QFETCH(QString, setup);
    QFETCH(QString, verb);
    QFETCH(QString, yaml);
    QFETCH(QString, code);
    QFETCH(QString, line);

    if (!setup.isEmpty()) {
        QVERIFY(m_store->applyText(setup.toStdString(), "setup.yaml", ApplyMode::Batch).ok());
    }
    const std::int64_t revision = m_store->revision();
    const std::string text = yaml.toStdString();
    const ApplyResult result =
        verb == "create"    ? m_store->createText(text, "f.yaml", ApplyMode::PerDocument)
        : verb == "replace" ? m_store->replaceText(text, "f.yaml", ApplyMode::PerDocument)
                            : m_store->removeText(text, "f.yaml", ApplyMode::PerDocument);
    QCOMPARE(int(result.documents.size()), 1);
    QCOMPARE(lines(result), QStringList{line});
    if (code.isEmpty()) {
        QVERIFY(result.ok());
        QCOMPARE(m_store->revision(), revision + 1);
    } else {
        QVERIFY(!result.ok());
        QCOMPARE(QString::fromStdString(result.documents[0].diagnostics.at(0).code), code);
        QCOMPARE(m_store->revision(), revision);
    }
}

void tst_Store::namespaces_data()
{
    QTest::addColumn<QString>("fileNamespace");
    QTest::addColumn<QString>("flag");
    QTest::addColumn<QString>("storedIn");
    QTest::addColumn<QString>("line");

    const QString ok = "serviceentry.networking.istio.io/redis-serviceentry created";
    QTest::addRow("none-given-default") << QString() << QString() << "default" << ok;
    QTest::addRow("flag-used-when-file-has-none") << QString() << "istio-system"
                                                  << "istio-system" << ok;
    QTest::addRow("file-namespace-wins-without-flag")
        << "istio-system" << QString() << "istio-system" << ok;
    QTest::addRow("file-and-flag-agree") << "istio-system"
                                         << "istio-system"
                                         << "istio-system" << ok;
    QTest::addRow("file-and-flag-mismatch")
        << "istio-system"
        << "default" << QString()
        << "error: the namespace from the provided object \"istio-system\" does not match the "
           "namespace \"default\". You must pass '--namespace=istio-system' to perform this "
           "operation.";
    QTest::addRow("missing-namespace-from-file")
        << "foo" << QString() << QString()
        << "Error from server (NotFound): error when creating \"se.yaml\": namespaces \"foo\" "
           "not found";
    QTest::addRow("missing-namespace-from-flag")
        << QString() << "foo" << QString()
        << "Error from server (NotFound): error when creating \"se.yaml\": namespaces \"foo\" "
           "not found";
}

void tst_Store::namespaces()
{
    QFETCH(QString, fileNamespace);
    QFETCH(QString, flag);
    QFETCH(QString, storedIn);
    QFETCH(QString, line);

    QVERIFY(m_store
                ->applyText("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: istio-system\n",
                            "ns.yaml", ApplyMode::Batch)
                .ok());
    std::string yaml = ServiceEntryYaml;
    if (!fileNamespace.isEmpty()) {
        yaml = replaced(yaml, "  name: redis-serviceentry\n",
                        "  name: redis-serviceentry\n  namespace: " + fileNamespace.toStdString() +
                            "\n");
    }
    ApplyOptions options;
    options.nameSpace = flag.toStdString();
    const ApplyResult result = m_store->applyText(yaml, "se.yaml", ApplyMode::PerDocument, options);
    QCOMPARE(lines(result), QStringList{line});
    QCOMPARE(result.ok(), !storedIn.isEmpty());
    if (!storedIn.isEmpty()) {
        const StoredObject *stored =
            m_store->get(Kind::ServiceEntry, storedIn.toStdString(), "redis-serviceentry");
        QVERIFY(stored);
        QCOMPARE(QString::fromStdString(stored->resource.metadata.nameSpace), storedIn);
        QCOMPARE(int(m_store->list(Kind::ServiceEntry).size()), 1);
    } else {
        QVERIFY(m_store->list(Kind::ServiceEntry).empty());
    }
}

void tst_Store::observersToldOncePerChangeSet_data()
{
    QTest::addColumn<bool>("batch");
    QTest::addColumn<bool>("applyTwice");
    QTest::addColumn<int>("notifications");
    QTest::addColumn<QList<int>>("changesPerNotification");

    QTest::addRow("batch-three-documents-one-change-set") << true << false << 1 << QList<int>{3};
    QTest::addRow("per-document-three-change-sets") << false << false << 3 << QList<int>{1, 1, 1};
    QTest::addRow("unchanged-apply-tells-no-one") << true << true << 0 << QList<int>{};
}

void tst_Store::observersToldOncePerChangeSet()
{
    QFETCH(bool, batch);
    QFETCH(bool, applyTwice);
    QFETCH(int, notifications);
    QFETCH(QList<int>, changesPerNotification);

    const std::string text =
        std::string(ServiceEntryYaml) + "---\n" + GatewayYaml + "---\n" + PodYaml;
    const ApplyMode mode = batch ? ApplyMode::Batch : ApplyMode::PerDocument;
    if (applyTwice) {
        QVERIFY(m_store->applyText(text, "f.yaml", mode).ok());
    }
    RecordingObserver observer;
    m_store->addObserver(&observer);
    const std::int64_t before = m_store->revision();
    QVERIFY(m_store->applyText(text, "f.yaml", mode).ok());
    m_store->removeObserver(&observer);

    QCOMPARE(int(observer.changes.size()), notifications);
    for (int i = 0; i < notifications; ++i) {
        const StoreChange &change = observer.changes[std::size_t(i)];
        QCOMPARE(int(change.changes.size()), changesPerNotification[i]);
        QCOMPARE(change.revision, before + i + 1);
    }
    QCOMPARE(m_store->revision(), before + notifications);

    // A refused batch is not a change set either.
    m_store->addObserver(&observer);
    observer.changes.clear();
    QVERIFY(!m_store->applyText(TwoDocumentsSecondInvalid, "f.yaml", ApplyMode::Batch).ok());
    QVERIFY(observer.changes.empty());
    m_store->removeObserver(&observer);
}

void tst_Store::revisionsAndResourceVersions()
{
    QVERIFY(m_store->applyText(ServiceEntryYaml, "se.yaml", ApplyMode::Batch).ok());
    const StoredObject *entry = m_store->get(Kind::ServiceEntry, "default", "redis-serviceentry");
    QVERIFY(entry);
    const std::int64_t created = entry->resourceVersion;
    QCOMPARE(created, m_store->revision());
    QCOMPARE(entry->createdRevision, created);

    QVERIFY(m_store->applyText(GatewayYaml, "gw.yaml", ApplyMode::Batch).ok());
    entry = m_store->get(Kind::ServiceEntry, "default", "redis-serviceentry");
    QCOMPARE(entry->resourceVersion, created); // untouched by the Gateway's change

    QVERIFY(m_store
                ->applyText(replaced(ServiceEntryYaml, "MESH_EXTERNAL", "MESH_INTERNAL"), "se.yaml",
                            ApplyMode::Batch)
                .ok());
    entry = m_store->get(Kind::ServiceEntry, "default", "redis-serviceentry");
    QCOMPARE(entry->resourceVersion, created + 2);
    QCOMPARE(entry->createdRevision, created);
    QCOMPARE(serviceEntryFrom(entry->resource)->location, Location::MeshInternal);
}

void tst_Store::warningsPassAndAreReturned()
{
    const std::string gateway = std::string(GatewayYaml) + "    addresses:\n    - 10.59.118.59\n";
    const ApplyResult result = m_store->applyText(gateway, "redis-egress.yaml", ApplyMode::Batch);
    QVERIFY(result.ok());
    QVERIFY(m_store->get(Kind::Gateway, "default", "istio-egressgateway"));
    QCOMPARE(lines(result),
             QStringList({"Warning: unknown field \"spec.servers[0].addresses\"",
                          "gateway.networking.istio.io/istio-egressgateway created"}));
    QCOMPARE(result.documents[0].diagnostics.at(0).severity, common::Severity::Warning);
}

void tst_Store::realValidatorRefusesWorkshopPlaceholder()
{
    const Validator validator;
    m_store->setValidator(&validator);
    const std::string placeholder = replaced(ServiceEntryYaml, "10.59.118.59", "REDIS_ENDPOINT");
    const ApplyResult refused =
        m_store->applyText(placeholder, "redis-serviceentry.yaml", ApplyMode::PerDocument);
    QCOMPARE(lines(refused),
             QStringList{"Error from server: error when creating \"redis-serviceentry.yaml\": "
                         "admission webhook \"validation.istio.io\" denied the request: "
                         "configuration is invalid: REDIS_ENDPOINT is not a valid IP"});
    QVERIFY(m_store->list(Kind::ServiceEntry).empty());
    const ApplyResult applied =
        m_store->applyText(ServiceEntryYaml, "redis-serviceentry.yaml", ApplyMode::PerDocument);
    QCOMPARE(lines(applied),
             QStringList{"serviceentry.networking.istio.io/redis-serviceentry created"});
    m_store->setValidator(&m_validator);
}

void tst_Store::podsAndDeploymentsStoredListedReplaced()
{
    QVERIFY(
        m_store
            ->applyText(std::string(PodYaml) + "---\n" + DeploymentYaml, "w.yaml", ApplyMode::Batch)
            .ok());
    QVERIFY(m_store
                ->applyText("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n", "ns.yaml",
                            ApplyMode::Batch)
                .ok());
    ApplyOptions inShop;
    inShop.nameSpace = "shop";
    QVERIFY(m_store->applyText(PodYaml, "w.yaml", ApplyMode::Batch, inShop).ok());

    QCOMPARE(int(m_store->list(Kind::Pod).size()), 2);
    QCOMPARE(int(m_store->list(Kind::Pod, std::string("default")).size()), 1);
    QCOMPARE(int(m_store->list(Kind::Pod, std::string("shop")).size()), 1);
    QCOMPARE(int(m_store->list(Kind::Deployment, std::string("default")).size()), 1);
    QCOMPARE(int(m_store->list(Kind::Namespace).size()), 5);

    const ApplyResult result =
        m_store->replaceText(replaced(DeploymentYaml, "redis-cart:6379", "10.59.118.59:6379"),
                             "/dev/fd/63", ApplyMode::PerDocument);
    QCOMPARE(lines(result), QStringList{"deployment.apps/cartservice replaced"});
    const auto deployment =
        deploymentFrom(m_store->get(Kind::Deployment, "default", "cartservice")->resource);
    QVERIFY(deployment);
    QCOMPARE(QString::fromStdString(deployment->templ.spec.containers.at(0).env.at(0).value),
             QStringLiteral("10.59.118.59:6379"));
}

void tst_Store::deletingNamespaceDeletesItsObjects()
{
    QVERIFY(m_store
                ->applyText("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n", "ns.yaml",
                            ApplyMode::Batch)
                .ok());
    ApplyOptions inShop;
    inShop.nameSpace = "shop";
    QVERIFY(m_store
                ->applyText(std::string(PodYaml) + "---\n" + ServiceEntryYaml, "w.yaml",
                            ApplyMode::Batch, inShop)
                .ok());
    QVERIFY(m_store->applyText(PodYaml, "w.yaml", ApplyMode::Batch).ok());
    RecordingObserver observer;
    m_store->addObserver(&observer);
    const DocumentResult deleted = m_store->remove(ObjectKey{Kind::Namespace, {}, "shop"});
    m_store->removeObserver(&observer);
    QCOMPARE(QString::fromStdString(deleted.output), QStringLiteral("namespace \"shop\" deleted"));
    QCOMPARE(int(observer.changes.size()), 1);
    QCOMPARE(int(observer.changes[0].changes.size()), 3);
    QVERIFY(m_store->list(Kind::Pod, std::string("shop")).empty());
    QCOMPARE(int(m_store->list(Kind::Pod).size()), 1);
    const DocumentResult again = m_store->remove(ObjectKey{Kind::Namespace, {}, "shop"});
    QCOMPARE(QString::fromStdString(again.output),
             QStringLiteral("Error from server (NotFound): namespaces \"shop\" not found"));
}

void tst_Store::typedServiceEntryKeepsPositions()
{
    const ParseResult parsed = parseResources(ServiceEntryYaml, "se.yaml");
    QCOMPARE(int(parsed.resources.size()), 1);
    const auto entry = serviceEntryFrom(parsed.resources[0]);
    QVERIFY(entry);
    QVERIFY(!gatewayFrom(parsed.resources[0]));
    QCOMPARE(int(entry->hosts.size()), 1);
    QCOMPARE(QString::fromStdString(entry->hosts[0].value), QStringLiteral("redis.domain"));
    QCOMPARE(entry->addresses.at(0).mark, (Mark{9, 5}));
    QCOMPARE(entry->ports.at(0).number, 6379);
    QCOMPARE(QString::fromStdString(entry->ports.at(0).name), QStringLiteral("tcp-redis"));
    QCOMPARE(QString::fromStdString(entry->ports.at(0).protocol), QStringLiteral("TCP"));
    QCOMPARE(entry->ports.at(0).mark, (Mark{11, 5}));
    QCOMPARE(entry->location, Location::MeshExternal);
    QCOMPARE(entry->resolution, Resolution::None);

    const ParseResult gateway = parseResources(GatewayYaml, "gw.yaml");
    const auto typed = gatewayFrom(gateway.resources.at(0));
    QVERIFY(typed);
    QCOMPARE(QString::fromStdString(typed->selector.at("istio")), QStringLiteral("egressgateway"));
    QCOMPARE(typed->servers.at(0).port.number, 6379);
    QCOMPARE(typed->servers.at(0).mark, (Mark{9, 5}));
    QVERIFY(!typed->servers.at(0).hasTls);
}

void tst_Store::typedVirtualServiceAndDestinationRule()
{
    const char *yaml = R"(apiVersion: networking.istio.io/v1alpha3
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
  name: redis-through-egress
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
      destinationSubnets: [10.59.118.59/32]
    route:
    - destination:
        host: redis.domain
        port:
          number: 6379
      weight: 100
)";
    const ParseResult parsed = parseResources(yaml, "vs.yaml");
    QCOMPARE(int(parsed.resources.size()), 2);
    const auto rule = destinationRuleFrom(parsed.resources[0]);
    QVERIFY(rule);
    QCOMPARE(rule->subsets.at(0).name.value, std::string("redis"));
    QCOMPARE(rule->subsets.at(0).mark, (Mark{8, 5}));
    QVERIFY(!rule->hasTrafficPolicy);

    const auto service = virtualServiceFrom(parsed.resources[1]);
    QVERIFY(service);
    QCOMPARE(int(service->gateways.size()), 2);
    QCOMPARE(int(service->tcp.size()), 2);
    QVERIFY(!service->hasHttp);
    const TcpRoute &first = service->tcp[0];
    QCOMPARE(first.match.at(0).port, 6379);
    QCOMPARE(first.match.at(0).gateways.at(0).value, std::string("mesh"));
    QCOMPARE(first.route.at(0).subset, std::string("redis"));
    QCOMPARE(first.route.at(0).port, 6379);
    QCOMPARE(first.route.at(0).mark, (Mark{27, 9}));
    const TcpRoute &second = service->tcp[1];
    QCOMPARE(second.match.at(0).destinationSubnets.at(0).value, std::string("10.59.118.59/32"));
    QCOMPARE(second.route.at(0).host.value, std::string("redis.domain"));
    QCOMPARE(second.route.at(0).weight, 100);
    QCOMPARE(second.route.at(0).host.mark, (Mark{38, 15}));
}

void tst_Store::typedKubernetesObjects()
{
    const ParseResult parsed = parseResources(std::string(DeploymentYaml) + "---\n" + PodYaml +
                                                  R"(---
apiVersion: v1
kind: Service
metadata:
  name: redis-cart
spec:
  selector:
    app: redis-cart
  ports:
  - name: redis
    port: 6379
    targetPort: 6379
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |-
    outboundTrafficPolicy:
      mode: ALLOW_ANY
)",
                                              "k8s.yaml");
    QCOMPARE(int(parsed.resources.size()), 4);
    const auto deployment = deploymentFrom(parsed.resources[0]);
    QVERIFY(deployment);
    QCOMPARE(deployment->replicas, 1);
    QCOMPARE(QString::fromStdString(deployment->selector.at("app")), QStringLiteral("cartservice"));
    const Container &server = deployment->templ.spec.containers.at(0);
    QCOMPARE(server.ports.at(0).containerPort, 7070);
    QCOMPARE(server.ports.at(0).protocol, std::string("TCP"));
    QCOMPARE(server.env.at(0).name, std::string("REDIS_ADDR"));
    QCOMPARE(server.env.at(0).mark, (Mark{20, 11}));

    const auto pod = podFrom(parsed.resources[1]);
    QVERIFY(pod);
    QCOMPARE(pod->spec.containers.at(0).command, (std::vector<std::string>{"sleep", "3600"}));
    QVERIFY(pod->spec.container("busybox"));

    const auto service = serviceFrom(parsed.resources[2]);
    QVERIFY(service);
    QCOMPARE(service->type, std::string("ClusterIP"));
    QCOMPARE(service->ports.at(0).effectiveTargetPort(), 6379);

    const auto configMap = configMapFrom(parsed.resources[3]);
    QVERIFY(configMap);
    QCOMPARE(configMap->data.at("mesh"), std::string("outboundTrafficPolicy:\n  mode: ALLOW_ANY"));
}

void tst_Store::typedReadingIsTolerant()
{
    const char *yaml = R"(apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata:
  name: odd
spec:
  hosts: redis.domain
  addresses:
  - {a: 1}
  - 10.0.0.1
  ports:
  - number: "6379"
    name: 42
  - "not a port"
  resolution: SOMETIMES
)";
    const ParseResult parsed = parseResources(yaml, "odd.yaml");
    const auto entry = serviceEntryFrom(parsed.resources.at(0));
    QVERIFY(entry);
    QVERIFY(entry->hosts.empty());
    QCOMPARE(int(entry->addresses.size()), 1);
    QCOMPARE(int(entry->ports.size()), 2);
    QCOMPARE(entry->ports[0].number, 0);
    QCOMPARE(entry->ports[0].name, std::string());
    QCOMPARE(entry->resolution, Resolution::None);
    QCOMPARE(entry->resolutionText, std::string("SOMETIMES"));
}

void tst_Store::shortHostsExpand_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("nameSpace");
    QTest::addColumn<QString>("expected");
    QTest::addRow("short-name") << "redis-cart"
                                << "default"
                                << "redis-cart.default.svc.cluster.local";
    QTest::addRow("short-name-other-namespace")
        << "istio-egressgateway"
        << "istio-system"
        << "istio-egressgateway.istio-system.svc.cluster.local";
    QTest::addRow("dotted-name-kept") << "redis.domain"
                                      << "default"
                                      << "redis.domain";
    QTest::addRow("fqdn-kept") << "istio-egressgateway.istio-system.svc.cluster.local"
                               << "default"
                               << "istio-egressgateway.istio-system.svc.cluster.local";
    QTest::addRow("wildcard-kept") << "*"
                                   << "default"
                                   << "*";
    QTest::addRow("ip-kept") << "10.59.118.59"
                             << "default"
                             << "10.59.118.59";
    QTest::addRow("no-namespace") << "redis"
                                  << ""
                                  << "redis.svc.cluster.local";
}

void tst_Store::shortHostsExpand()
{
    QFETCH(QString, host);
    QFETCH(QString, nameSpace);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(resolveShortHost(host.toStdString(), nameSpace.toStdString())),
             expected);
}

QTEST_APPLESS_MAIN(tst_Store)
#include "tst_store.moc"
