// SPDX-License-Identifier: GPL-3.0-or-later
// The desktop app driven as a learner would: the guide's Run and Check, the terminal, the
// editor's diagnostics and Apply; plus the models, the bridge's coalescing and single instance.

#include "app/bridge/session_bridge.h"
#include "app/models/problem_list_model.h"
#include "app/models/step_list_model.h"
#include "app/ui/editor_panel.h"
#include "app/ui/guide_panel.h"
#include "app/ui/main_window.h"
#include "app/ui/single_instance.h"
#include "app/ui/terminal_widget.h"
#include "tests/app/support/app_fixture.h"
#include "tests/app/support/screenshot.h"

#include <Qsci/qscilexer.h>
#include <Qsci/qsciscintilla.h>

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QMessageBox>
#include <QTest>
#include <QTimer>
#include <QTextBrowser>
#include <QTreeView>
#include <QUuid>

#include <atomic>
#include <set>

using namespace meshcraft;
using meshcraft::test::AppFixture;

namespace {

constexpr int CommandTimeoutMs = 30'000;

/// Clicks the guide's Run button of the viewed step's command `index`.
bool clickRun(app::GuidePanel *guide, int index)
{
    auto *button = guide->findChild<QPushButton *>(QStringLiteral("run:%1").arg(index));
    if (button == nullptr) {
        return false;
    }
    QTest::mouseClick(button, Qt::LeftButton);
    return true;
}

/// Waits for the session to finish what it was given and the bridge to deliver it.
void settle(AppFixture &app)
{
    app.bridge->sessionForTest().waitIdle(std::chrono::milliseconds(CommandTimeoutMs));
    QTest::qWait(2 * app::SessionBridge::FlushIntervalMs + 20);
}

void typeLine(app::TerminalWidget *terminal, const QString &line)
{
    terminal->setFocus();
    QTest::keyClicks(terminal, line);
    QTest::keyClick(terminal, Qt::Key_Return);
}

core::lab::StepStatus status(const AppFixture &app, int step)
{
    return app.bridge->steps().at(static_cast<std::size_t>(step - 1));
}

} // namespace

class tst_AppUi : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void stepListModel();
    void problemListModel();
    void singleInstance();
    void layoutFitsSmallScreen();
    void guideDrivesSteps1To4();
    void terminalKeys();
    void editorDiagnosticsAndApply();
    void editsSurviveRestart();
    void bridgeCoalesces();
    void darkPalette();
    void shortcutsAndSettings();
    void editFromTerminal();
    void finishPage();
    void jumpAndReset();
    void labThatCannotOpen();
    void aboutBox();
};

void tst_AppUi::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("MeshcraftTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_app_ui"));
    QSettings().clear();
}

void tst_AppUi::stepListModel()
{
    app::StepListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    std::vector<core::lab::StepStatus> steps(3);
    for (int i = 0; i < 3; ++i) {
        steps[static_cast<std::size_t>(i)].index = i + 1;
        steps[static_cast<std::size_t>(i)].title = "Step " + std::to_string(i + 1);
    }
    steps[0].state = core::lab::StepState::Passed;
    steps[1].state = core::lab::StepState::Current;
    model.setSteps(steps);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0).data().toString(), QStringLiteral("1. Step 1"));
    QCOMPARE(model.index(0).data(app::StepListModel::StateNameRole).toString(),
             QStringLiteral("passed"));
    QVERIFY(!model.index(1).data(Qt::DecorationRole).value<QIcon>().isNull());

    core::lab::StepStatus failed = steps[1];
    failed.state = core::lab::StepState::Failed;
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.updateStep(failed);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.index(1).data(app::StepListModel::StateNameRole).toString(),
             QStringLiteral("failed"));
    QCOMPARE(model.index(1).data(Qt::ToolTipRole).toString(), QStringLiteral("Check failed"));
    model.setDark(true);
    model.setSteps({});
    QCOMPARE(model.rowCount(), 0);
}

void tst_AppUi::problemListModel()
{
    app::ProblemListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    core::common::Diagnostic error;
    error.severity = core::common::Severity::Error;
    error.code = "istio.invalid-address";
    error.message = "REDIS_ENDPOINT is not a valid IP";
    error.location = {"redis-serviceentry.yaml", 9, 5};
    core::common::Diagnostic warning = error;
    warning.severity = core::common::Severity::Warning;
    warning.location.line = 2;
    model.setProblems(QStringLiteral("/w/a.yaml"), {error, warning});
    model.setProblems(QStringLiteral("/w/b.yaml"), {error});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.errorCount(), 2);
    // Sorted by file, then line.
    QCOMPARE(model.index(0, 0).data(app::ProblemListModel::LineRole)
                 .toInt(),
             2);
    QCOMPARE(model.index(1, app::ProblemListModel::LocationColumn).data().toString(),
             QStringLiteral("a.yaml:9:5"));
    QCOMPARE(model.index(1, app::ProblemListModel::MessageColumn).data().toString(),
             QStringLiteral("REDIS_ENDPOINT is not a valid IP"));
    model.setProblems(QStringLiteral("/w/a.yaml"), {});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, 0).data(app::ProblemListModel::PathRole).toString(),
             QStringLiteral("/w/b.yaml"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void tst_AppUi::singleInstance()
{
    const QString key = QStringLiteral("meshcraft-test-") + QUuid::createUuid().toString(QUuid::Id128);
    app::SingleInstance first(key);
    QVERIFY(!first.activateRunning(200)); // nobody listens yet
    QVERIFY(first.listen());
    QSignalSpy activated(&first, &app::SingleInstance::activateRequested);
    app::SingleInstance second(key);
    QVERIFY(second.activateRunning(2000));
    QVERIFY(activated.wait(5000));
    QCOMPARE(activated.count(), 1);
}

void tst_AppUi::layoutFitsSmallScreen()
{
    AppFixture app;
    QVERIFY(app.open());
    app.window->resetLayout();
    QTest::qWait(50);
    // Every dock is visible and laid out inside the window, none on top of another.
    const QList<QDockWidget *> docks = {app.window->guideDock(), app.window->editorDock(),
                                        app.window->terminalDock()};
    for (QDockWidget *dock : docks) {
        QVERIFY2(dock->isVisible(), qPrintable(dock->objectName()));
        QVERIFY2(dock->width() >= 200 && dock->height() >= 150, qPrintable(dock->objectName()));
        QVERIFY(app.window->rect().contains(dock->geometry()));
    }
    QVERIFY(!app.window->guideDock()->geometry().intersects(app.window->editorDock()->geometry()));
    QVERIFY(!app.window->guideDock()->geometry().intersects(
        app.window->terminalDock()->geometry()));
    QVERIFY(app.window->centralWidget()->width() >= 250);
    QCOMPARE(app.guide()->viewedStep(), 1);
    QVERIFY(app.guide()->commands().contains(
        QStringLiteral("gcloud services enable redis.googleapis.com")));
    const QString shot = test::saveScreenshot(app.window.get(), QStringLiteral("main-window-1366x768"));
    QVERIFY(!shot.isEmpty());
}

void tst_AppUi::guideDrivesSteps1To4()
{
    AppFixture app;
    QVERIFY(app.open());
    app::GuidePanel *guide = app.guide();
    app::TerminalWidget *terminal = app.terminal();

    // Step 1: Check before running fails with the step's own sentence, then Run and Check.
    QCOMPARE(guide->viewedStep(), 1);
    QTest::mouseClick(guide->findChild<QPushButton *>(QStringLiteral("checkButton")),
                      Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!guide->checklist().isEmpty(), CommandTimeoutMs);
    QCOMPARE(guide->checklist(),
             QStringList{QStringLiteral("failed: The Redis API (redis.googleapis.com) is not "
                                        "enabled in the project yet.")});
    QTRY_COMPARE_WITH_TIMEOUT(status(app, 1).state, core::lab::StepState::Failed, 5000);
    // A failed Check releases the next hint rung; Hint shows one at a time.
    QTest::mouseClick(guide->findChild<QPushButton *>(QStringLiteral("hintButton")),
                      Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(guide->hints().size(), 1, 5000);
    QTest::qWait(50);
    if (auto *scroll = guide->findChild<QScrollArea *>(QStringLiteral("stepScroll"))) {
        scroll->verticalScrollBar()->setValue(scroll->verticalScrollBar()->maximum());
    }
    QVERIFY(!test::saveScreenshot(app.window->guideDock(), QStringLiteral("guide-check-failed"))
                 .isEmpty());

    QVERIFY(clickRun(guide, 0));
    settle(app);
    QTRY_VERIFY_WITH_TIMEOUT(terminal->transcript().contains(
                                 QStringLiteral("gcloud services enable redis.googleapis.com")),
                             5000);
    QTest::mouseClick(guide->findChild<QPushButton *>(QStringLiteral("checkButton")),
                      Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(guide->checklist(),
                              QStringList{QStringLiteral("passed: Redis api enabled: passed.")},
                              CommandTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(status(app, 1).state, core::lab::StepState::Passed, 5000);
    QCOMPARE(app.guide()->stepModel()->index(0).data(app::StepListModel::StateNameRole).toString(),
             QStringLiteral("passed"));

    // Steps 2 and 3 with the Next button, Run on each command, then Check.
    for (int step = 2; step <= 3; ++step) {
        QTest::mouseClick(guide->findChild<QPushButton *>(QStringLiteral("nextButton")),
                          Qt::LeftButton);
        QCOMPARE(guide->viewedStep(), step);
        for (int i = 0; i < guide->commands().size(); ++i) {
            QVERIFY(clickRun(guide, i));
            settle(app);
        }
        guide->check();
        const bool passed = QTest::qWaitFor(
            [&] {
                const QStringList lines = guide->checklist();
                return !lines.isEmpty()
                       && std::all_of(lines.cbegin(), lines.cend(), [](const QString &line) {
                              return line.startsWith(QStringLiteral("passed: "));
                          });
            },
            CommandTimeoutMs);
        QVERIFY2(passed, qPrintable(QStringLiteral("step %1:\n").arg(step)
                                    + guide->checklist().join(QLatin1Char('\n'))
                                    + QStringLiteral("\n--- terminal ---\n")
                                    + terminal->transcript()));
        QVERIFY2(status(app, step).state == core::lab::StepState::Passed,
                 qPrintable(guide->checklist().join(QLatin1Char('\n'))));
    }
    QVERIFY(terminal->transcript().contains(QStringLiteral("Created instance [redis-cart]"))
            || terminal->transcript().contains(QStringLiteral("redis-cart")));

    // Step 4: inject and apply busybox, exec into it (the prompt becomes "/ # "), telnet.
    guide->nextStep();
    QCOMPARE(guide->viewedStep(), 4);
    QVERIFY(guide->commands().contains(QStringLiteral("telnet 10.59.118.59 6379")));
    QVERIFY(clickRun(guide, 0));
    settle(app);
    QVERIFY(clickRun(guide, 1));
    settle(app);
    QTRY_COMPARE_WITH_TIMEOUT(terminal->prompt(), QStringLiteral("/ # "), 10'000);
    QVERIFY(clickRun(guide, 2)); // in_pod: telnet with ${REDIS_ADDR} filled in
    QTRY_VERIFY_WITH_TIMEOUT(
        terminal->transcript().contains(QStringLiteral("Connected to 10.59.118.59")),
        CommandTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(terminal->attached(), 5000);
    typeLine(terminal, QStringLiteral("PING"));
    QTRY_VERIFY_WITH_TIMEOUT(terminal->transcript().contains(QStringLiteral("+PONG")),
                             CommandTimeoutMs);
    const QString shot = test::saveScreenshot(app.window.get(), QStringLiteral("step-4-telnet"));
    QVERIFY(!shot.isEmpty());
    // Ctrl+C opens busybox telnet's console escape, and `e` leaves; the pod's prompt is back.
    QTest::keyClick(terminal, Qt::Key_C, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(terminal->transcript().contains(QStringLiteral("Console escape")),
                             CommandTimeoutMs);
    typeLine(terminal, QStringLiteral("e"));
    QTRY_VERIFY_WITH_TIMEOUT(!terminal->attached() && terminal->prompt() == QStringLiteral("/ # "),
                             CommandTimeoutMs);
    guide->check();
    QTRY_VERIFY_WITH_TIMEOUT(status(app, 4).state == core::lab::StepState::Passed
                                 || status(app, 4).state == core::lab::StepState::Failed,
                             CommandTimeoutMs);
    QVERIFY2(status(app, 4).state == core::lab::StepState::Passed,
             qPrintable(guide->checklist().join(QLatin1Char('\n'))
                        + QStringLiteral("\n--- terminal ---\n") + terminal->transcript()));
    typeLine(terminal, QStringLiteral("exit"));
    QTRY_VERIFY_WITH_TIMEOUT(terminal->prompt() != QStringLiteral("/ # "), CommandTimeoutMs);
    if (auto *scroll = guide->findChild<QScrollArea *>(QStringLiteral("stepScroll"))) {
        scroll->verticalScrollBar()->setValue(scroll->verticalScrollBar()->maximum());
    }
    QVERIFY(!test::saveScreenshot(app.window.get(), QStringLiteral("step-4-checked")).isEmpty());
    // Nothing in the guide's page is wider than the guide (1366×768 clips nothing).
    if (auto *scroll = guide->findChild<QScrollArea *>(QStringLiteral("stepScroll"))) {
        QVERIFY2(scroll->widget()->width() <= scroll->viewport()->width(),
                 qPrintable(QStringLiteral("%1 > %2").arg(scroll->widget()->width())
                                .arg(scroll->viewport()->width())));
    }

    // The completion % counts the four passed steps.
    const core::lab::Progress progress = app.bridge->progress();
    QCOMPARE(progress.stepsPassed, 4);

    // Show solution lists the step's commands.
    guide->viewStep(5);
    guide->showSolution();
    QTRY_VERIFY_WITH_TIMEOUT(!guide->solutionLines().isEmpty(), 5000);
    QVERIFY(guide->solutionLines().join(QLatin1Char('\n')).contains(QStringLiteral("kubectl replace")));
}

void tst_AppUi::terminalKeys()
{
    AppFixture app;
    QVERIFY(app.open());
    app::TerminalWidget *terminal = app.terminal();
    QTRY_VERIFY_WITH_TIMEOUT(!terminal->prompt().isEmpty(), 5000);
    const QString hostPrompt = terminal->prompt();

    typeLine(terminal, QStringLiteral("echo first"));
    QVERIFY(app.waitForPrompt(hostPrompt));
    typeLine(terminal, QStringLiteral("echo second"));
    QVERIFY(app.waitForPrompt(hostPrompt));
    QVERIFY(terminal->transcript().contains(QStringLiteral("\nfirst\n")));

    // History: Up twice gives the first line back, Down the second.
    terminal->setFocus();
    QTest::keyClick(terminal, Qt::Key_Up);
    QCOMPARE(terminal->input(), QStringLiteral("echo second"));
    QTest::keyClick(terminal, Qt::Key_Up);
    QCOMPARE(terminal->input(), QStringLiteral("echo first"));
    QTest::keyClick(terminal, Qt::Key_Down);
    QCOMPARE(terminal->input(), QStringLiteral("echo second"));
    QTest::keyClick(terminal, Qt::Key_Down);
    QCOMPARE(terminal->input(), QString());

    // Tab completes from the session.
    QTest::keyClicks(terminal, QStringLiteral("kubec"));
    QTest::keyClick(terminal, Qt::Key_Tab);
    QTRY_COMPARE_WITH_TIMEOUT(terminal->input(), QStringLiteral("kubectl "), 5000);

    // Ctrl+C drops the half-typed line; Ctrl+L clears the screen but keeps the prompt.
    QTest::keyClick(terminal, Qt::Key_C, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(terminal->input(), QString(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(terminal->transcript().endsWith(hostPrompt), 5000);
    QTest::keyClick(terminal, Qt::Key_L, Qt::ControlModifier);
    QCOMPARE(terminal->transcript(), hostPrompt);

    // The history above the prompt is read-only: typing there goes to the input line.
    typeLine(terminal, QStringLiteral("echo third"));
    QVERIFY(app.waitForPrompt(hostPrompt));
    QTextCursor top = terminal->textCursor();
    top.setPosition(0);
    terminal->setTextCursor(top);
    QTest::keyClicks(terminal, QStringLiteral("x"));
    QVERIFY(terminal->transcript().startsWith(hostPrompt + QStringLiteral("echo third\n")));
    QCOMPARE(terminal->input(), QStringLiteral("x"));
    QTest::keyClick(terminal, Qt::Key_Backspace);
    QTest::keyClick(terminal, Qt::Key_Backspace); // nothing left to erase: the prompt stays
    QVERIFY(terminal->transcript().endsWith(hostPrompt));

    // Paste runs each complete line.
    QGuiApplication::clipboard()->setText(QStringLiteral("echo pasted\necho tail"));
    terminal->paste();
    QVERIFY(app.waitForPrompt(hostPrompt));
    QVERIFY(terminal->transcript().contains(QStringLiteral("\npasted\n")));
    QCOMPARE(terminal->input(), QStringLiteral("echo tail"));

    // Long output: 50,000 lines in 500 flushes stay fast and bounded by the scrollback cap,
    // and the prompt with the typed input stays last.
    terminal->setInput(QStringLiteral("echo after"));
    QElapsedTimer timer;
    timer.start();
    int line = 0;
    for (int chunk = 0; chunk < 500; ++chunk) {
        core::lab::events::CommandOutput output;
        for (int i = 0; i < 100; ++i) {
            output.text += "line " + std::to_string(++line) + " of a long listing\n";
        }
        emit app.bridge->commandOutput(output);
        if (chunk % 10 == 0) {
            QCoreApplication::processEvents(); // one render per bridge flush
        }
    }
    QTRY_VERIFY_WITH_TIMEOUT(terminal->transcript().contains(QStringLiteral("line 50000 of")),
                             10'000);
    const qint64 elapsed = timer.elapsed();
    QVERIFY2(elapsed < 5000, qPrintable(QStringLiteral("%1 ms").arg(elapsed)));
    QVERIFY(terminal->document()->blockCount() <= app::TerminalWidget::MaxScrollbackLines);
    QVERIFY(!terminal->transcript().contains(QStringLiteral("line 1 of")));
    QVERIFY(terminal->transcript().endsWith(hostPrompt + QStringLiteral("echo after")));
    QCOMPARE(terminal->input(), QStringLiteral("echo after"));
    qInfo("50,000 lines rendered in %lld ms", static_cast<long long>(elapsed));
}

void tst_AppUi::editorDiagnosticsAndApply()
{
    AppFixture app;
    QVERIFY(app.open());
    app::EditorPanel *editor = app.editor();
    app::TerminalWidget *terminal = app.terminal();
    QTRY_VERIFY_WITH_TIMEOUT(!editor->openPaths().isEmpty(), 5000);

    QString path;
    for (const QString &candidate : editor->openPaths()) {
        if (candidate.endsWith(QStringLiteral("/redis-serviceentry.yaml"))) {
            path = candidate;
        }
    }
    QVERIFY2(!path.isEmpty(), qPrintable(editor->openPaths().join(QLatin1Char(' '))));
    // The shipped placeholder is reported at 9:5, with a margin marker on line 9.
    QTRY_VERIFY_WITH_TIMEOUT(editor->isValidated(path), 10'000);
    QCOMPARE(editor->markerLines(path), QList<int>{9});
    QsciScintilla *buffer = editor->editorFor(path);
    QVERIFY(buffer->annotation(8).contains(QStringLiteral("REDIS_ENDPOINT is not a valid IP")));
    bool found = false;
    for (int row = 0; row < editor->problems()->rowCount(); ++row) {
        const auto *problem = editor->problems()->problem(row);
        if (problem->path == path) {
            found = true;
            QCOMPARE(problem->diagnostic.location.line, 9);
            QCOMPARE(problem->diagnostic.location.column, 5);
            // The problems list jumps to the spot.
            const QModelIndex index = editor->problems()->index(row, 0);
            emit editor->problemsView()->activated(index);
            int line = 0;
            int column = 0;
            buffer->getCursorPosition(&line, &column);
            QCOMPARE(line, 8);
            QCOMPARE(column, 4);
        }
    }
    QVERIFY(found);

    editor->openFile(path);
    QVERIFY(!test::saveScreenshot(app.window->editorDock(), QStringLiteral("editor-diagnostics"))
                 .isEmpty());
    // Apply the placeholder: refused, printed in the terminal, nothing created.
    QTest::mouseClick(editor->findChild<QPushButton *>(QStringLiteral("applyButton")),
                      Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(terminal->transcript().contains(QStringLiteral("[editor] kubectl apply -f")),
                             CommandTimeoutMs);
    QVERIFY(terminal->transcript().contains(QStringLiteral("REDIS_ENDPOINT is not a valid IP")));
    QTRY_VERIFY_WITH_TIMEOUT(!terminal->prompt().isEmpty(), 5000);
    const QString hostPrompt = terminal->prompt();
    typeLine(terminal, QStringLiteral("kubectl get serviceentries"));
    QVERIFY(app.waitForPrompt(hostPrompt, CommandTimeoutMs));
    QVERIFY2(!terminal->transcript().contains(QStringLiteral("\nredis-serviceentry ")),
             qPrintable(terminal->transcript()));

    // Fix the address as the learner would: diagnostics clear as you type.
    buffer->setFocus();
    buffer->findFirst(QStringLiteral("REDIS_ENDPOINT"), false, true, true, false, true, 0, 0);
    buffer->replaceSelectedText(QStringLiteral("10.59.118.59"));
    QTRY_VERIFY_WITH_TIMEOUT(editor->isValidated(path) && editor->markerLines(path).isEmpty(),
                             10'000);
    QVERIFY(buffer->annotation(8).isEmpty());
    app.window->action(QStringLiteral("apply"))->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(
        terminal->transcript().contains(QStringLiteral("serviceentry.networking.istio.io/"
                                                       "redis-serviceentry created")),
        CommandTimeoutMs);
    typeLine(terminal, QStringLiteral("kubectl get serviceentries"));
    QVERIFY(app.waitForPrompt(hostPrompt, CommandTimeoutMs));
    QVERIFY(terminal->transcript().contains(QStringLiteral("redis-serviceentry")));
    QVERIFY(!test::saveScreenshot(app.window.get(), QStringLiteral("editor-applied")).isEmpty());

    // Revert restores the lab's original, placeholder and diagnostic included.
    QTest::mouseClick(editor->findChild<QPushButton *>(QStringLiteral("revertButton")),
                      Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(buffer->text().contains(QStringLiteral("REDIS_ENDPOINT")), 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(editor->markerLines(path), QList<int>{9}, 10'000);
    buffer->undo(); // the revert is one undo step
    QVERIFY(buffer->text().contains(QStringLiteral("10.59.118.59")));
}

void tst_AppUi::editsSurviveRestart()
{
    QTemporaryDir state;
    QString path;
    {
        AppFixture app;
        QVERIFY(app.open(QStringLiteral("egress-gateway"), 20'000, state.path()));
        QTRY_VERIFY_WITH_TIMEOUT(!app.editor()->openPaths().isEmpty(), 5000);
        path = app.editor()->openPaths().constFirst();
        QsciScintilla *buffer = app.editor()->editorFor(path);
        buffer->append(QStringLiteral("# my note\n"));
        // Saved as you go (debounced); then the window and the session close.
        QTRY_VERIFY_WITH_TIMEOUT(app.bridge->readFile(path).value_or(QString()).contains(
                                     QStringLiteral("# my note")),
                                 5000);
        // Typing on right after a save: the save's echo must not take the new text away.
        buffer->append(QStringLiteral("# a"));
        QTest::qWait(app::EditorPanel::SaveDelayMs + 5);
        buffer->append(QStringLiteral("b\n"));
        QTest::qWait(4 * app::SessionBridge::FlushIntervalMs);
        QVERIFY(buffer->text().endsWith(QStringLiteral("# ab\n")));
        QTRY_VERIFY_WITH_TIMEOUT(app.bridge->readFile(path).value_or(QString()).endsWith(
                                     QStringLiteral("# ab\n")),
                                 5000);
    }
    AppFixture again;
    QVERIFY(again.open(QStringLiteral("egress-gateway"), 20'000, state.path()));
    QTRY_VERIFY_WITH_TIMEOUT(again.editor()->editorFor(path) != nullptr, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(
        again.editor()->editorFor(path)->text().contains(QStringLiteral("# my note")), 5000);
}

void tst_AppUi::bridgeCoalesces()
{
    AppFixture app;
    QVERIFY(app.open());
    QTRY_VERIFY_WITH_TIMEOUT(!app.terminal()->prompt().isEmpty(), 5000);
    const QString hostPrompt = app.terminal()->prompt();
    QSignalSpy flushed(app.bridge.get(), &app::SessionBridge::eventsFlushed);
    const int before = app.bridge->flushCountForTest();
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 20; ++i) {
        typeLine(app.terminal(), QStringLiteral("echo %1").arg(i));
    }
    QTRY_VERIFY_WITH_TIMEOUT(app.terminal()->transcript().contains(QStringLiteral("\n19\n")),
                             CommandTimeoutMs);
    QVERIFY(app.waitForPrompt(hostPrompt, CommandTimeoutMs));
    const qint64 elapsed = timer.elapsed();
    const int flushes = app.bridge->flushCountForTest() - before;
    // At most one flush per interval (D17), plus the first one.
    QVERIFY2(flushes <= elapsed / app::SessionBridge::FlushIntervalMs + 2,
             qPrintable(QStringLiteral("%1 flushes in %2 ms").arg(flushes).arg(elapsed)));
    // Batches come in order, and a connection's Bytes events are merged: one per batch.
    std::uint64_t last = 0;
    for (const QList<QVariant> &args : flushed) {
        const auto batch = args.at(0).value<app::EventBatch>();
        std::set<std::uint64_t> bytesSeen;
        for (const core::lab::Event &event : batch) {
            QVERIFY(event.sequence > last);
            last = event.sequence;
            const auto *connection = std::get_if<core::lab::events::Connection>(&event.payload);
            if (connection != nullptr
                && connection->kind == core::lab::events::Connection::Kind::Bytes) {
                QVERIFY(bytesSeen.insert(connection->connectionId).second);
            }
        }
    }
}

void tst_AppUi::darkPalette()
{
    const QPalette original = QApplication::palette();
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2e));
    dark.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x20));
    dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x29));
    dark.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::Button, QColor(0x35, 0x35, 0x38));
    dark.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::Highlight, QColor(0x3d, 0x6f, 0xb0));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::ToolTipBase, QColor(0x35, 0x35, 0x38));
    dark.setColor(QPalette::ToolTipText, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
    dark.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x80));
    QApplication::setPalette(dark);
    {
        AppFixture app;
        QVERIFY(app.open());
        app.guide()->viewStep(6); // the step with a simulator note
        QCOMPARE(app.guide()->notes().size(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(app.editor()->currentEditor() != nullptr, 5000);
        const QsciScintilla *editor = app.editor()->currentEditor();
        QVERIFY(editor->lexer()->paper(0).lightness() < 128);
        QVERIFY(editor->lexer()->color(0).lightness() > 128);
        QVERIFY(!test::saveScreenshot(app.window.get(), QStringLiteral("main-window-dark")).isEmpty());
    }
    QApplication::setPalette(original);
}

void tst_AppUi::shortcutsAndSettings()
{
    QSettings().clear();
    QTemporaryDir state;
    {
        AppFixture app;
        QVERIFY(app.open(QStringLiteral("egress-gateway"), 20'000, state.path()));
        QCOMPARE(app.guide()->viewedStep(), 1);
        app.window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(app.window.get(), 5000));
        // F5 checks, Alt+Right / Alt+Left move between steps, Ctrl+2 focuses the terminal.
        QTest::keyClick(app.window.get(), Qt::Key_F5);
        QTRY_VERIFY_WITH_TIMEOUT(!app.guide()->checklist().isEmpty(), CommandTimeoutMs);
        QTest::keyClick(app.window.get(), Qt::Key_Right, Qt::AltModifier);
        QCOMPARE(app.guide()->viewedStep(), 2);
        QTest::keyClick(app.window.get(), Qt::Key_Right, Qt::AltModifier);
        QTest::keyClick(app.window.get(), Qt::Key_Left, Qt::AltModifier);
        QCOMPARE(app.guide()->viewedStep(), 2);
        QTest::keyClick(app.window.get(), Qt::Key_2, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(app.terminal()->hasFocus(), 2000);
        QTest::keyClick(app.window.get(), Qt::Key_3, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(app.editor()->currentEditor()->hasFocus(), 2000);
        // Ctrl+Return runs the viewed step's command in the terminal.
        QTest::keyClick(app.window.get(), Qt::Key_1, Qt::ControlModifier);
        QTest::keyClick(app.window.get(), Qt::Key_Return, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(app.terminal()->transcript().contains(
                                     QStringLiteral("gcloud redis instances create redis-cart")),
                                 5000);
        app.window->inspectorDock()->raise();
        app.window->close(); // saves the layout and the viewed step
    }
    AppFixture again;
    again.keepSettings = true;
    QVERIFY(again.open(QStringLiteral("egress-gateway"), 20'000, state.path()));
    QCOMPARE(again.guide()->viewedStep(), 2);
    QCOMPARE(QSettings().value(QStringLiteral("lab/last")).toString(),
             QStringLiteral("egress-gateway"));
    QVERIFY(again.window->inspectorDock()->isVisible());
    QSettings().clear();
}

void tst_AppUi::editFromTerminal()
{
    AppFixture app;
    QVERIFY(app.open());
    QTRY_VERIFY_WITH_TIMEOUT(!app.terminal()->prompt().isEmpty(), 5000);
    const QString hostPrompt = app.terminal()->prompt();
    app.window->inspectorDock()->raise();
    // `edit FILE` opens the lab's file in the editor and brings the editor forward.
    typeLine(app.terminal(),
             QStringLiteral("edit $WORKSHOP_HOME/istio-workshop-labs/redis-egress.yaml"));
    QTRY_VERIFY_WITH_TIMEOUT(
        app.editor()->currentPath().endsWith(QStringLiteral("/redis-egress.yaml")), 10'000);
    QVERIFY(!app.window->editorDock()->visibleRegion().isEmpty());
    // The shipped warning of step 9 shows on its line, as a warning.
    QTRY_COMPARE_WITH_TIMEOUT(app.editor()->markerLines(app.editor()->currentPath()),
                              QList<int>{15}, 10'000);
    // A new file gets a tab of its own, empty.
    const int tabs = static_cast<int>(app.editor()->openPaths().size());
    typeLine(app.terminal(), QStringLiteral("edit my-route.yaml"));
    QTRY_COMPARE_WITH_TIMEOUT(static_cast<int>(app.editor()->openPaths().size()), tabs + 1,
                              10'000);
    QVERIFY(app.editor()->currentPath().endsWith(QStringLiteral("my-route.yaml")));
    QVERIFY(app.waitForPrompt(hostPrompt));
}

void tst_AppUi::finishPage()
{
    AppFixture app;
    QVERIFY(app.open());
    // The lab's own solutions, run by the session, pass every step; the guide follows.
    QSignalSpy finished(app.bridge.get(), &app::SessionBridge::progressChanged);
    bool allPassed = false;
    std::atomic<bool> done = false;
    app.bridge->sessionForTest().runSolutions(1, 11, [&](bool ok) {
        allPassed = ok;
        done = true;
    });
    QVERIFY(QTest::qWaitFor([&] { return done.load(); }, 120'000));
    QVERIFY(allPassed);
    QTRY_VERIFY_WITH_TIMEOUT(app.bridge->progress().finished, 10'000);
    QTest::qWait(100);
    for (int step = 1; step <= 11; ++step) {
        QCOMPARE(app.guide()->stepModel()->index(step - 1).data(app::StepListModel::StateNameRole)
                     .toString(),
                 QStringLiteral("passed"));
    }
    app.guide()->viewStep(11);
    app.guide()->nextStep();
    QVERIFY(app.guide()->finishShown());
    QVERIFY(!test::saveScreenshot(app.window.get(), QStringLiteral("finish-page")).isEmpty());
    app.guide()->previousStep();
    QCOMPARE(app.guide()->viewedStep(), 11);
}

void tst_AppUi::jumpAndReset()
{
    AppFixture app;
    QVERIFY(app.open());
    app::GuidePanel *guide = app.guide();
    // Viewing step 7 changes nothing; Jump sets the lab up for it (solutions of 1..6 replayed).
    guide->viewStep(7);
    auto *jump = guide->findChild<QPushButton *>(QStringLiteral("jumpButton"));
    QVERIFY(jump->isVisibleTo(guide));
    QCOMPARE(app.bridge->progress().currentStep, 1);
    QSignalSpy rebuilt(app.bridge.get(), &app::SessionBridge::worldRebuilt);
    QTest::mouseClick(jump, Qt::LeftButton);
    QVERIFY(rebuilt.wait(60'000));
    QTRY_COMPARE_WITH_TIMEOUT(app.bridge->progress().currentStep, 7, 10'000);
    QCOMPARE(guide->viewedStep(), 7);
    QVERIFY(!jump->isVisibleTo(guide));
    // At step 7 the mesh is REGISTRY_ONLY: telnet from busybox is closed at once.
    auto *terminal = app.terminal();
    QVERIFY(clickRun(guide, 0));
    QTRY_COMPARE_WITH_TIMEOUT(terminal->prompt(), QStringLiteral("/ # "), CommandTimeoutMs);
    QVERIFY(clickRun(guide, 1));
    QTRY_VERIFY_WITH_TIMEOUT(
        terminal->transcript().contains(QStringLiteral("Connection closed by foreign host")),
        CommandTimeoutMs);
    guide->check();
    QTRY_VERIFY_WITH_TIMEOUT(!guide->checklist().isEmpty(), CommandTimeoutMs);
    QVERIFY2(status(app, 7).state == core::lab::StepState::Passed,
             qPrintable(guide->checklist().join(QLatin1Char('\n'))));
    // Reset step 7 forgets its result and sets the lab up again.
    rebuilt.clear();
    QTest::mouseClick(guide->findChild<QPushButton *>(QStringLiteral("resetButton")),
                      Qt::LeftButton);
    QVERIFY(rebuilt.wait(60'000));
    QTRY_VERIFY_WITH_TIMEOUT(status(app, 7).state != core::lab::StepState::Passed, 10'000);
    QVERIFY(guide->checklist().isEmpty());
}

void tst_AppUi::labThatCannotOpen()
{
    QTemporaryDir state;
    core::lab::SessionOptions options;
    options.labsDir = LABS_SOURCE_DIR;
    options.stateDir = state.path().toStdString();
    app::SessionBridge bridge(options);
    app::MainWindow window(bridge);
    window.show();
    QSignalSpy failed(&bridge, &app::SessionBridge::openFailed);
    window.openLab(QStringLiteral("no-such-lab"));
    QVERIFY(failed.wait(20'000));
    QTest::qWait(50);
    auto *page = window.guide()->findChild<QTextBrowser *>(QStringLiteral("finishPage"));
    QVERIFY(page->isVisible());
    QVERIFY2(page->toPlainText().contains(QStringLiteral("could not be opened")),
             qPrintable(page->toPlainText()));
    QVERIFY(!window.guide()->findChild<QPushButton *>(QStringLiteral("checkButton"))->isEnabled());
}

void tst_AppUi::aboutBox()
{
    AppFixture app;
    QVERIFY(app.open());
    QString text;
    QString shot;
    // The box is modal: read it and close it from inside its own event loop.
    QTimer::singleShot(200, app.window.get(), [&] {
        for (QWidget *widget : QApplication::topLevelWidgets()) {
            if (auto *box = qobject_cast<QMessageBox *>(widget); box && box->isVisible()) {
                text = box->text();
                shot = test::saveScreenshot(box, QStringLiteral("about-box"));
                box->accept();
            }
        }
    });
    QTimer::singleShot(10'000, app.window.get(), [] {
        for (QWidget *widget : QApplication::topLevelWidgets()) {
            if (auto *box = qobject_cast<QMessageBox *>(widget)) {
                box->reject(); // never hang the suite
            }
        }
    });
    app.window->action(QStringLiteral("about"))->trigger();
    QVERIFY2(text.contains(QStringLiteral("GPL-3.0-or-later")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("Meshcraft 0.")));
    QVERIFY(!shot.isEmpty());
}

QTEST_MAIN(tst_AppUi)
#include "tst_app_ui.moc"
