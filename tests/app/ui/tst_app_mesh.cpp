// SPDX-License-Identifier: GPL-3.0-or-later
// The Mesh view, the Inspector and the Event timeline: their models on synthetic events, then
// the real lab driven through the app with the mesh view's items asserted at steps 4, 7, 10
// and 11 (and the main window's screenshots saved there).

#include "app/bridge/session_bridge.h"
#include "app/models/mesh_model.h"
#include "app/models/timeline_model.h"
#include "app/models/trace_model.h"
#include "app/ui/editor_panel.h"
#include "app/ui/inspector_panel.h"
#include "app/ui/main_window.h"
#include "app/ui/mesh_layout.h"
#include "app/ui/mesh_view.h"
#include "app/ui/timeline_panel.h"
#include "tests/app/support/app_fixture.h"
#include "tests/app/support/screenshot.h"

#include <QAbstractItemModelTester>
#include <QDockWidget>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>
#include <QTreeView>
#include <Qsci/qsciscintilla.h>
#include <atomic>
#include <chrono>
#include <memory>

using namespace meshcraft;
using meshcraft::test::AppFixture;
namespace events = core::lab::events;

namespace {

constexpr int StepTimeoutMs = 60'000;

std::shared_ptr<core::lab::TopologySnapshot> labTopology()
{
    auto t = std::make_shared<core::lab::TopologySnapshot>();
    t->namespaces = {"default", "istio-system"};
    t->pods = {
        {"cartservice-9d86d79259-x2tmh", "default", "10.8.0.3", true, false, "cartservice", ""},
        {"redis-cart-662f257f7b-52wbm", "default", "10.8.0.4", true, false, "redis-cart", ""},
        {"istio-egressgateway-62d65958c6-hc9mm", "istio-system", "10.8.0.2", false, true,
         "istio-egressgateway", ""},
    };
    t->services = {{"cartservice", "default", "10.11.240.3", {7070}},
                   {"redis-cart", "default", "10.11.240.4", {6379}},
                   {"istio-egressgateway", "istio-system", "10.11.240.2", {80, 443, 6379}}};
    core::cloud::Instance instance;
    instance.name = "redis-cart";
    instance.host = "10.59.118.59";
    instance.port = 6379;
    instance.state = core::cloud::InstanceState::Ready;
    t->instances = {instance};
    return t;
}

events::Connection hop(events::Connection::Kind kind, std::uint64_t id, std::uint64_t trace,
                       std::uint64_t parent, const std::string &proxy, const std::string &cluster,
                       const std::string &flags = {})
{
    events::Connection c;
    c.kind = kind;
    c.connectionId = id;
    c.traceId = trace;
    c.parentId = parent;
    c.proxyId = proxy;
    c.downstream = "10.8.0.9:40312";
    c.originalDestination = "10.59.118.59:6379";
    c.cluster = cluster;
    c.flags = flags;
    return c;
}

/// Runs the lab's solutions of `from`..`to` through the app's session and waits for them and
/// for the bridge to deliver what they caused.
bool runSteps(AppFixture &app, int from, int to)
{
    auto done = std::make_shared<std::atomic<int>>(0);
    app.bridge->sessionForTest().runSolutions(
        from, to, [done](bool passed) { done->store(passed ? 1 : -1); });
    const bool finished = QTest::qWaitFor([&] { return done->load() != 0; }, StepTimeoutMs);
    QTest::qWait(4 * app::SessionBridge::FlushIntervalMs);
    return finished && done->load() == 1;
}

app::MeshView *meshViewOf(const AppFixture &app)
{
    return qobject_cast<app::MeshView *>(app.window->meshView());
}

app::InspectorPanel *inspectorOf(const AppFixture &app)
{
    return qobject_cast<app::InspectorPanel *>(app.window->inspector());
}

app::TimelinePanel *timelineOf(const AppFixture &app)
{
    return qobject_cast<app::TimelinePanel *>(app.window->timeline());
}

/// Clicks a node of the mesh view as a learner would.
void clickNode(app::MeshView *view, const QString &name)
{
    const QPoint at = view->mapFromScene(view->nodeState(name).position);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
}

/// The first trace row whose cause names `file`.
QModelIndex causeNaming(const app::TraceModel *trace, const QString &file)
{
    for (int hop = 0; hop < trace->rowCount(); ++hop) {
        const QModelIndex parent = trace->index(hop, 0);
        for (int row = 0; row < trace->rowCount(parent); ++row) {
            const QModelIndex cause = trace->index(row, app::TraceModel::CauseColumn, parent);
            if (cause.data(app::TraceModel::ProvenanceFileRole).toString().endsWith(file)) {
                return cause;
            }
        }
    }
    return {};
}

core::probe::Trace twoHopTrace()
{
    core::probe::Trace trace;
    trace.traceId = 20;
    core::probe::TraceHop first;
    first.connectionId = 20;
    first.proxyId = "busybox.default";
    first.decided = true;
    first.decision.listener = "10.59.118.59_6379";
    first.decision.cluster =
        "outbound|6379|redis|istio-egressgateway.istio-system.svc.cluster.local";
    first.decision.listenerProvenance = {
        "ServiceEntry", "default", "redis-serviceentry", "redis-serviceentry.yaml", 9, {}};
    first.decision.clusterProvenance = {
        "VirtualService",          "default", "redis-through-egressgateway",
        "redis-egress-route.yaml", 40,        {}};
    first.closed = true;
    core::probe::TraceHop second = first;
    second.connectionId = 21;
    second.parentId = 20;
    second.proxyId = "istio-egressgateway-dfbdf92b62-smlhm.istio-system";
    second.decision.cluster = "outbound|6379||redis.domain";
    second.flags =
        static_cast<core::relay::ResponseFlags>(core::relay::ResponseFlag::NoHealthyUpstream);
    trace.hops = {first, second};
    trace.complete = true;
    return trace;
}

} // namespace

class tst_AppMesh : public QObject
{
    Q_OBJECT

private slots:
    void meshModelBlackHole();
    void meshModelThroughGateway();
    void meshModelUpstreamFailure();
    void layoutIsStable();
    void meshViewKeyboard();
    void modelsPassTheTester();
    void timelineFiltersAndClicks();
    void labStepsOnTheMeshView();
};

void tst_AppMesh::modelsPassTheTester()
{
    app::TimelineModel timeline;
    QAbstractItemModelTester timelineTester(&timeline,
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
    app::TimelineFilterModel filter;
    filter.setSourceModel(&timeline);
    QAbstractItemModelTester filterTester(&filter,
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    using K = events::Connection::Kind;
    std::vector<core::lab::Event> batch;
    batch.push_back({1, events::CommandStarted{"host", "kubectl apply -f x.yaml"}});
    batch.push_back({2, events::ConfigPushed{{"busybox.default"}}});
    batch.push_back({3, hop(K::Opened, 7, 7, 0, "busybox.default", "")});
    batch.push_back({4, hop(K::Bytes, 7, 7, 0, "busybox.default", "")}); // not a row
    batch.push_back({5, hop(K::Closed, 7, 7, 0, "busybox.default", "BlackHoleCluster", "UH")});
    timeline.addEvents(batch);
    QCOMPARE(timeline.rowCount(), 4);
    QCOMPARE(
        timeline.index(3, app::TimelineModel::WhatColumn).data().toString(),
        QStringLiteral("busybox.default: → 10.59.118.59:6379 closed, BlackHoleCluster, flags UH"));
    QCOMPARE(timeline.index(3, 0).data(app::TimelineModel::TraceRole).toULongLong(), 7u);
    filter.setTypeVisible(app::TimelineType::ConnectionOpen, false);
    filter.setTypeVisible(app::TimelineType::ConnectionClose, false);
    QCOMPARE(filter.rowCount(), 2);
    // Bounded: the oldest rows go (on a model of its own: the tester would make this quadratic).
    app::TimelineModel bounded;
    bounded.addEvents(batch);
    for (int i = 0; i < app::TimelineModel::MaxRows; ++i) {
        bounded.append({0, app::TimelineType::Note, QStringLiteral("note %1").arg(i), 0, {}});
    }
    QCOMPARE(bounded.rowCount(), app::TimelineModel::MaxRows);
    QCOMPARE(bounded.entry(0).text, QStringLiteral("note 0")); // the four events went
    bounded.append({0, app::TimelineType::Note, QStringLiteral("one more"), 0, {}});
    QCOMPARE(bounded.rowCount(), app::TimelineModel::MaxRows);
    QCOMPARE(bounded.entry(0).text, QStringLiteral("note 1"));
    // More rows through the tester and the filter (commands are shown, opens are not).
    for (int i = 0; i < 20; ++i) {
        timeline.append({0, app::TimelineType::Command, QStringLiteral("c %1").arg(i), 0, {}});
    }
    QCOMPARE(filter.rowCount(), 22);

    app::TraceModel trace;
    QAbstractItemModelTester traceTester(&trace,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    trace.setTrace(twoHopTrace());
    QCOMPARE(trace.rowCount(), 2);
    const QModelIndex firstHop = trace.index(0, 0);
    QVERIFY(trace.rowCount(firstHop) >= 4);
    const QModelIndex listener = trace.index(0, app::TraceModel::CauseColumn, firstHop);
    QCOMPARE(listener.data(app::TraceModel::ProvenanceFileRole).toString(),
             QStringLiteral("redis-serviceentry.yaml"));
    QCOMPARE(listener.data(app::TraceModel::ProvenanceLineRole).toInt(), 9);
    QVERIFY2(trace.toLines().join(QLatin1Char('\n')).contains(QStringLiteral("flags | UH")),
             qPrintable(trace.toLines().join(QLatin1Char('\n'))));
    trace.clear();
    QCOMPARE(trace.rowCount(), 0);

    app::ProxyStatsModel stats;
    QAbstractItemModelTester statsTester(&stats,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    stats.setStats({{"cluster.BlackHoleCluster.upstream_cx_total", 1},
                    {"listener.0.0.0.0_15001.downstream_cx_total", 3}});
    QSignalSpy changed(&stats, &QAbstractItemModel::dataChanged);
    stats.setStats({{"cluster.BlackHoleCluster.upstream_cx_total", 2},
                    {"listener.0.0.0.0_15001.downstream_cx_total", 3}});
    QCOMPARE(changed.count(), 1); // in place: one value moved
    QCOMPARE(stats.value(QStringLiteral("cluster.BlackHoleCluster.upstream_cx_total")), 2u);
    stats.setStats({{"a", 1}});
    QCOMPARE(stats.rowCount(), 1);
}

void tst_AppMesh::timelineFiltersAndClicks()
{
    app::SessionBridge bridge;
    app::TimelinePanel panel(bridge);
    panel.resize(700, 300);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    using K = events::Connection::Kind;
    std::vector<core::lab::Event> batch;
    batch.push_back({1, events::CommandStarted{"busybox", "telnet 10.59.118.59 6379"}});
    batch.push_back({2, hop(K::Opened, 7, 7, 0, "busybox.default", "")});
    batch.push_back({3, hop(K::Closed, 7, 7, 0, "busybox.default", "BlackHoleCluster", "UH")});
    panel.model()->addEvents(batch);
    QCOMPARE(panel.filter()->rowCount(), 3);
    QToolButton *opens = panel.filterButton(app::TimelineType::ConnectionOpen);
    QVERIFY(opens && opens->isChecked());
    QTest::mouseClick(opens, Qt::LeftButton);
    QVERIFY(!opens->isChecked());
    QCOMPARE(panel.filter()->rowCount(), 2);
    QTest::mouseClick(panel.filterButton(app::TimelineType::Command), Qt::LeftButton);
    QCOMPARE(panel.filter()->rowCount(), 1);
    QCOMPARE(panel.filter()->index(0, 1).data().toString(), QStringLiteral("close"));

    // Clicking the close selects its connection.
    QSignalSpy flows(&panel, &app::TimelinePanel::flowSelected);
    const QRect row = panel.view()->visualRect(panel.filter()->index(0, 2));
    QTest::mouseClick(panel.view()->viewport(), Qt::LeftButton, {}, row.center());
    QCOMPARE(flows.count(), 1);
    QCOMPARE(flows.at(0).at(0).value<std::uint64_t>(), 7u);

    // New rows are followed at the bottom…
    QTest::mouseClick(panel.filterButton(app::TimelineType::Command), Qt::LeftButton);
    for (int i = 0; i < 200; ++i) {
        panel.model()->append(
            {0, app::TimelineType::Command, QStringLiteral("line %1").arg(i), 0, {}});
    }
    QScrollBar *bar = panel.view()->verticalScrollBar();
    QTRY_VERIFY(bar->maximum() > 0 && bar->value() == bar->maximum());
    // …unless the reader scrolled up.
    bar->setValue(0);
    QTest::qWait(50);
    QCOMPARE(bar->value(), 0);
    panel.model()->append({0, app::TimelineType::Command, QStringLiteral("later"), 0, {}});
    QTest::qWait(50);
    QCOMPARE(panel.view()->verticalScrollBar()->value(), 0);
}

void tst_AppMesh::meshModelBlackHole()
{
    app::MeshModel model;
    auto topology = labTopology();
    topology->pods.push_back({"busybox", "default", "10.8.0.9", true, false, "", "busybox"});
    model.setTopology(topology);
    using K = events::Connection::Kind;
    model.applyConnection(hop(K::Opened, 7, 7, 0, "busybox.default", ""));
    model.applyConnection(hop(K::Decided, 7, 7, 0, "busybox.default", "BlackHoleCluster"));
    model.applyConnection(hop(K::Closed, 7, 7, 0, "busybox.default", "BlackHoleCluster", "UH"));

    const app::MeshNode *busybox = model.node(QStringLiteral("default/busybox"));
    QVERIFY(busybox);
    QCOMPARE(busybox->stop, app::MeshOutcome::BlackHole);
    QCOMPARE(app::outcomeLabel(busybox->stop), QStringLiteral("UH"));
    QCOMPARE(app::shapeName(app::shapeOf(busybox->stop)), QStringLiteral("octagon"));
    const app::MeshFlow *flow = model.flow(7);
    QVERIFY(flow);
    QCOMPARE(flow->path, QStringList{QStringLiteral("default/busybox")});
    QCOMPARE(flow->attempted, QStringLiteral("memorystore:redis-cart"));
    const app::MeshEdge *edge =
        model.edge(QStringLiteral("default/busybox"), QStringLiteral("memorystore:redis-cart"));
    QVERIFY(edge);
    QCOMPARE(edge->lastOutcome, app::MeshOutcome::BlackHole);
    QVERIFY2(edge->label().startsWith(QStringLiteral("UH")), qPrintable(edge->label()));
}

void tst_AppMesh::meshModelThroughGateway()
{
    app::MeshModel model;
    auto topology = labTopology();
    topology->pods.push_back({"busybox", "default", "10.8.0.9", true, false, "", "busybox"});
    topology->serviceEntryHosts = {"redis.domain (10.59.118.59/32)"};
    model.setTopology(topology);
    using K = events::Connection::Kind;
    const std::string viaGateway =
        "outbound|6379|redis|istio-egressgateway.istio-system.svc.cluster.local";
    const std::string gatewayProxy = "istio-egressgateway-62d65958c6-hc9mm.istio-system";
    model.applyConnection(hop(K::Opened, 20, 20, 0, "busybox.default", ""));
    model.applyConnection(hop(K::Decided, 20, 20, 0, "busybox.default", viaGateway));
    // Before the gateway's hop arrives, the path already ends at the gateway.
    QCOMPARE(model.flow(20)->path,
             (QStringList{QStringLiteral("default/busybox"),
                          QStringLiteral("istio-system/istio-egressgateway")}));
    model.applyConnection(hop(K::Opened, 21, 20, 20, gatewayProxy, ""));
    model.applyConnection(hop(K::Decided, 21, 20, 20, gatewayProxy, "outbound|6379||redis.domain"));
    auto bytes = hop(K::Bytes, 21, 20, 20, gatewayProxy, "");
    bytes.bytesReceived = 14;
    bytes.bytesSent = 7;
    model.applyConnection(bytes);
    QCOMPARE(model.flow(20)->path, (QStringList{QStringLiteral("default/busybox"),
                                                QStringLiteral("istio-system/istio-egressgateway"),
                                                QStringLiteral("memorystore:redis-cart")}));
    const app::MeshEdge *second = model.edge(QStringLiteral("istio-system/istio-egressgateway"),
                                             QStringLiteral("memorystore:redis-cart"));
    QVERIFY(second);
    QCOMPARE(second->active, 1);
    QCOMPARE(second->bytesOut, 14u);
    QVERIFY2(second->label().contains(QStringLiteral("1 open")), qPrintable(second->label()));
    model.applyConnection(hop(K::Closed, 21, 20, 20, gatewayProxy, "", "-"));
    model.applyConnection(hop(K::Closed, 20, 20, 0, "busybox.default", "", "-"));
    QCOMPARE(model.flow(20)->outcome, app::MeshOutcome::Connected);
    QVERIFY(second->litAtMs >= 0); // the view animates from there
    QCOMPARE(second->active, 0);
    QVERIFY2(second->label().startsWith(QStringLiteral("OK")), qPrintable(second->label()));
    // Nothing went directly from busybox to the instance.
    QVERIFY(
        !model.edge(QStringLiteral("default/busybox"), QStringLiteral("memorystore:redis-cart")));
    // A ServiceEntry declares the instance's address: a structural edge, no traffic.
    const app::MeshEdge *declares =
        model.edge(QStringLiteral("se:redis.domain"), QStringLiteral("memorystore:redis-cart"));
    QVERIFY(declares && declares->structural);
}

void tst_AppMesh::meshModelUpstreamFailure()
{
    app::MeshModel model;
    model.setTopology(labTopology());
    using K = events::Connection::Kind;
    auto opened = hop(K::Opened, 30, 30, 0, "cartservice-9d86d79259-x2tmh.default", "");
    opened.originalDestination = "10.59.118.99:6379";
    model.applyConnection(opened);
    auto closed = hop(K::Closed, 30, 30, 0, "cartservice-9d86d79259-x2tmh.default",
                      "PassthroughCluster", "UF,URX");
    closed.originalDestination = "10.59.118.99:6379";
    model.applyConnection(closed);
    const app::MeshFlow *flow = model.flow(30);
    QCOMPARE(flow->outcome, app::MeshOutcome::UpstreamFailure);
    QCOMPARE(flow->attempted, QStringLiteral("ext:10.59.118.99:6379"));
    const app::MeshEdge *edge =
        model.edge(QStringLiteral("default/cartservice"), QStringLiteral("ext:10.59.118.99:6379"));
    QVERIFY(edge);
    QCOMPARE(app::colourRoleOf(edge->lastOutcome), QStringLiteral("failed"));
    QCOMPARE(app::shapeName(app::shapeOf(edge->lastOutcome)), QStringLiteral("triangle"));
    QVERIFY(edge->label().startsWith(QStringLiteral("UF")));
}

void tst_AppMesh::layoutIsStable()
{
    app::MeshModel model;
    app::MeshView view(&model);
    auto topology = labTopology();
    model.setTopology(topology);
    const QStringList ids = {QStringLiteral("default/cartservice"),
                             QStringLiteral("default/redis-cart"),
                             QStringLiteral("svc:default/redis-cart"),
                             QStringLiteral("istio-system/istio-egressgateway"),
                             QStringLiteral("memorystore:redis-cart")};
    QHash<QString, QPointF> before;
    for (const QString &id : ids) {
        QVERIFY2(view.nodeState(id).exists, qPrintable(id));
        before.insert(id, view.nodeState(id).position);
    }
    // busybox arrives, the gateway's pod is replaced (helm upgrade), a pod of another namespace
    // and a ServiceEntry appear: nothing that was there moves.
    auto next = std::make_shared<core::lab::TopologySnapshot>(*topology);
    next->pods.push_back({"busybox", "default", "10.8.0.9", true, false, "", "busybox"});
    next->pods.at(2).name = "istio-egressgateway-dfbdf92b62-smlhm";
    next->pods.push_back({"web-0", "shop", "10.8.0.12", true, false, "web", ""});
    next->serviceEntryHosts = {"redis.domain (10.59.118.59/32)"};
    model.setTopology(next);
    for (const QString &id : ids) {
        QCOMPARE(view.nodeState(id).position, before.value(id));
    }
    QVERIFY(view.nodeState(QStringLiteral("busybox")).exists);
    QCOMPARE(view.nodeState(QStringLiteral("istio-egressgateway-dfbdf92b62-smlhm")).id,
             QStringLiteral("istio-system/istio-egressgateway"));
    QVERIFY(view.nodeState(QStringLiteral("se:redis.domain")).exists);
}

void tst_AppMesh::meshViewKeyboard()
{
    app::MeshModel model;
    app::MeshView view(&model);
    model.setTopology(labTopology());
    view.resize(800, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setFocus(Qt::TabFocusReason);
    QVERIFY(!view.focusedNode().isEmpty());
    // Reading order starts in istio-system's band: the gateway.
    QCOMPARE(view.focusedNode(), QStringLiteral("istio-system/istio-egressgateway"));
    QTest::keyClick(&view, Qt::Key_Tab);
    const QString second = view.focusedNode();
    QVERIFY(second != QStringLiteral("istio-system/istio-egressgateway"));
    QTest::keyClick(&view, Qt::Key_Right);
    QVERIFY(view.focusedNode() != second);
    QSignalSpy activated(&view, &app::MeshView::nodeActivated);
    QTest::keyClick(&view, Qt::Key_Return);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(view.selectedNode(), view.focusedNode());
    QVERIFY(view.nodeState(view.selectedNode()).selected);
    const double before = view.zoomFactor();
    QTest::keyClick(&view, Qt::Key_Plus, Qt::ControlModifier);
    QVERIFY(view.zoomFactor() > before);
    QTest::keyClick(&view, Qt::Key_0, Qt::ControlModifier);
    QVERIFY(qAbs(view.zoomFactor() - before) < 1e-6);
}

void tst_AppMesh::labStepsOnTheMeshView()
{
    // Writes the main window's screenshots at steps 4, 7, 10 and 11 to
    // build/test-artifacts/mesh-step-NN.png.
    AppFixture app;
    QVERIFY(app.open());
    app::MeshView *view = meshViewOf(app);
    QVERIFY2(view, "the main window's central widget is the mesh view");

    QVERIFY(runSteps(app, 1, 4));
    QTRY_VERIFY_WITH_TIMEOUT(view->nodeState(QStringLiteral("busybox")).exists, 10'000);
    QVERIFY(view->nodeState(QStringLiteral("busybox")).sidecar);
    QTRY_COMPARE_WITH_TIMEOUT(
        view->lastPathFrom(QStringLiteral("busybox")),
        (QStringList{QStringLiteral("default/busybox"), QStringLiteral("memorystore:redis-cart")}),
        10'000);
    QVERIFY(view->nodeState(QStringLiteral("redis-cart")).exists);
    QCOMPARE(view->nodeState(QStringLiteral("memorystore:redis-cart")).detail,
             QStringLiteral("10.59.118.59:6379"));
    QVERIFY(!test::saveScreenshot(app.window.get(), QStringLiteral("mesh-step-04")).isEmpty());

    QVERIFY(runSteps(app, 5, 7));
    QTRY_COMPARE_WITH_TIMEOUT(view->nodeState(QStringLiteral("busybox")).stopLabel,
                              QStringLiteral("UH"), 10'000);
    const auto busybox = view->nodeState(QStringLiteral("busybox"));
    QCOMPARE(busybox.stopShape, QStringLiteral("octagon"));
    QCOMPARE(busybox.colourRole, QStringLiteral("blocked"));
    const auto blocked =
        view->edgeState(QStringLiteral("busybox"), QStringLiteral("memorystore:redis-cart"));
    QVERIFY(blocked.exists);
    QCOMPARE(blocked.outcome, QStringLiteral("UH"));
    QCOMPARE(blocked.shape, QStringLiteral("octagon"));
    QCOMPARE(blocked.colourRole, QStringLiteral("blocked"));
    QCOMPARE(blocked.cluster, QStringLiteral("BlackHoleCluster"));
    QCOMPARE(view->lastPathFrom(QStringLiteral("busybox")),
             QStringList{QStringLiteral("default/busybox")});
    // The cart service fails too once its connection is drained: its edge turns to UH.
    QTRY_COMPARE_WITH_TIMEOUT(
        view->edgeState(QStringLiteral("cartservice"), QStringLiteral("memorystore:redis-cart"))
            .outcome,
        QStringLiteral("UH"), 15'000);
    QCOMPARE(view->nodeState(QStringLiteral("cartservice")).stopLabel, QStringLiteral("UH"));
    // The timeline's close of that connection shows its trace in the inspector.
    app::TimelinePanel *timeline = timelineOf(app);
    app::InspectorPanel *inspector = inspectorOf(app);
    QVERIFY(timeline && inspector);
    app.window->timelineDock()->raise();
    QModelIndex closeRow;
    for (int row = timeline->filter()->rowCount() - 1; row >= 0 && !closeRow.isValid(); --row) {
        const QModelIndex index = timeline->filter()->index(row, app::TimelineModel::WhatColumn);
        if (index.data(app::TimelineModel::TraceRole).toULongLong() == blocked.lastTraceId &&
            index.data(app::TimelineModel::TypeRole).toInt() ==
                static_cast<int>(app::TimelineType::ConnectionClose)) {
            closeRow = index;
        }
    }
    QVERIFY2(closeRow.isValid(), "the timeline has the blocked connection's close");
    timeline->view()->scrollTo(closeRow);
    QTest::mouseClick(timeline->view()->viewport(), Qt::LeftButton, {},
                      timeline->view()->visualRect(closeRow).center());
    QCOMPARE(inspector->currentPage(), QStringLiteral("trace"));
    QTRY_VERIFY_WITH_TIMEOUT(inspector->traceModel()->rowCount() > 0, 10'000);
    const QString blockedTrace = inspector->traceModel()->toLines().join(QLatin1Char('\n'));
    QVERIFY2(blockedTrace.contains(QStringLiteral("BlackHoleCluster")), qPrintable(blockedTrace));
    QVERIFY2(blockedTrace.contains(QStringLiteral("flags | UH")), qPrintable(blockedTrace));
    QVERIFY(!test::saveScreenshot(app.window.get(), QStringLiteral("mesh-step-07")).isEmpty());

    QVERIFY(runSteps(app, 8, 10));
    QTRY_COMPARE_WITH_TIMEOUT(
        view->lastPathFrom(QStringLiteral("busybox")),
        (QStringList{QStringLiteral("default/busybox"), QStringLiteral("memorystore:redis-cart")}),
        10'000);
    QCOMPARE(view->nodeState(QStringLiteral("busybox")).stopLabel, QString());
    const auto direct =
        view->edgeState(QStringLiteral("busybox"), QStringLiteral("memorystore:redis-cart"));
    QCOMPARE(direct.outcome, QStringLiteral("OK"));
    QCOMPARE(direct.colourRole, QStringLiteral("ok"));
    QCOMPARE(direct.cluster, QStringLiteral("outbound|6379||redis.domain"));
    QVERIFY(
        !view->edgeState(QStringLiteral("busybox"), QStringLiteral("istio-egressgateway")).exists);
    QVERIFY(view->nodeState(QStringLiteral("se:redis.domain")).exists);

    // The Memorystore card.
    clickNode(view, QStringLiteral("memorystore:redis-cart"));
    QCOMPARE(inspector->currentPage(), QStringLiteral("instance"));
    const QString card = inspector->instanceCardText();
    QVERIFY2(card.contains(QStringLiteral("10.59.118.59")) &&
                 card.contains(QStringLiteral("REDIS_4_0")) &&
                 card.contains(QStringLiteral("redis-server 7.")),
             qPrintable(card));

    // The trace of the direct connection links the ServiceEntry's line; the link opens it.
    inspector->showTrace(direct.lastTraceId);
    QTRY_VERIFY_WITH_TIMEOUT(inspector->traceModel()->rowCount() == 1, 10'000);
    const QModelIndex cause =
        causeNaming(inspector->traceModel(), QStringLiteral("redis-serviceentry.yaml"));
    QVERIFY2(cause.isValid(),
             qPrintable(inspector->traceModel()->toLines().join(QLatin1Char('\n'))));
    const int causeLine = cause.data(app::TraceModel::ProvenanceLineRole).toInt();
    QVERIFY(causeLine > 0);
    inspector->traceView()->expandAll();
    inspector->traceView()->scrollTo(cause);
    QTest::mouseClick(inspector->traceView()->viewport(), Qt::LeftButton, {},
                      inspector->traceView()->visualRect(cause).center());
    QTRY_VERIFY(app.editor()->currentPath().endsWith(QStringLiteral("redis-serviceentry.yaml")));
    int line = -1;
    int column = -1;
    app.editor()->currentEditor()->getCursorPosition(&line, &column);
    QCOMPARE(line, causeLine - 1);

    // busybox's proxy: its listeners include the ServiceEntry's address since step 8.
    clickNode(view, QStringLiteral("busybox"));
    QCOMPARE(view->selectedNode(), QStringLiteral("default/busybox"));
    QCOMPARE(inspector->currentPage(), QStringLiteral("proxy"));
    QTRY_VERIFY_WITH_TIMEOUT(
        inspector->proxyText(QStringLiteral("listeners"))
            .contains(QRegularExpression(QStringLiteral("10\\.59\\.118\\.59\\s+6379"))),
        10'000);
    // Envoy's listener for the ServiceEntry's address, by name, in busybox's stats.
    QTRY_VERIFY_WITH_TIMEOUT(
        inspector->statsModel()
                ->value(QStringLiteral("listener.10.59.118.59_6379.downstream_cx_total"))
                .value_or(0) >= 1,
        10'000);
    QVERIFY(!test::saveScreenshot(app.window.get(), QStringLiteral("mesh-step-10")).isEmpty());

    QVERIFY(runSteps(app, 11, 11));
    const QStringList viaGateway = {QStringLiteral("default/busybox"),
                                    QStringLiteral("istio-system/istio-egressgateway"),
                                    QStringLiteral("memorystore:redis-cart")};
    QTRY_COMPARE_WITH_TIMEOUT(view->lastPathFrom(QStringLiteral("busybox")), viaGateway, 10'000);
    const auto first = view->edgeState(QStringLiteral("busybox"),
                                       QStringLiteral("istio-system/istio-egressgateway"));
    const auto second = view->edgeState(QStringLiteral("istio-system/istio-egressgateway"),
                                        QStringLiteral("memorystore:redis-cart"));
    QVERIFY(first.exists && second.exists);
    QCOMPARE(first.outcome, QStringLiteral("OK"));
    QCOMPARE(second.outcome, QStringLiteral("OK"));
    // Both hops were lit by a flow (the light itself fades after a few seconds).
    QVERIFY(first.lastTraceId != 0 && second.lastTraceId != 0);
    QCOMPARE(first.colourRole, QStringLiteral("ok"));
    // The gateway's Envoy stats count the connections it carried to redis.domain.
    clickNode(view, QStringLiteral("istio-egressgateway"));
    QCOMPARE(inspector->currentPage(), QStringLiteral("proxy"));
    QVERIFY(inspector->proxyId().startsWith(QStringLiteral("istio-egressgateway-")));
    QTRY_VERIFY_WITH_TIMEOUT(
        inspector->statsModel()
                ->value(QStringLiteral("cluster.outbound|6379||redis.domain.upstream_cx_total"))
                .value_or(0) >= 1,
        10'000);
    // Clicking the first hop's edge shows its connection's trace: two hops, the second at the
    // gateway.
    QSignalSpy flowClicks(view, &app::MeshView::flowActivated);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->mapFromScene(first.line.pointAt(0.15)));
    QCOMPARE(flowClicks.count(), 1);
    QCOMPARE(flowClicks.at(0).at(0).value<std::uint64_t>(), first.lastTraceId);
    QCOMPARE(inspector->currentPage(), QStringLiteral("trace"));
    QTRY_VERIFY_WITH_TIMEOUT(inspector->traceModel()->rowCount() == 2, 10'000);
    QVERIFY(inspector->traceModel()->index(1, 0).data().toString().contains(
        QStringLiteral("istio-egressgateway")));
    app.window->inspectorDock()->raise();
    QVERIFY(!test::saveScreenshot(app.window.get(), QStringLiteral("mesh-step-11")).isEmpty());
}

QTEST_MAIN(tst_AppMesh)
#include "tst_app_mesh.moc"
