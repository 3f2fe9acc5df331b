// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/lab/session.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QWidget>

#include <memory>

class QLabel;
class QListView;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QStackedWidget;
class QTextBrowser;
class QVBoxLayout;

namespace meshcraft::app {

class SessionBridge;
class StepListModel;

/// The lab's guide: the step list with state icons and the completion %, the viewed step's
/// text, its commands (Run into the terminal, Copy), Check with a per-condition checklist, the
/// hint ladder one rung at a time, Show solution, Reset step, Jump to step, simulator notes in a
/// frame of their own, and the finish page once every step passed.
///
/// The guide views one step (viewedStep()); the session's current step moves when a Check
/// passes or on Jump. Viewing another step changes nothing in the lab.
class GuidePanel : public QWidget
{
    Q_OBJECT

public:
    explicit GuidePanel(SessionBridge &bridge, QWidget *parent = nullptr);
    ~GuidePanel() override;

    /// Shows `step` (1-based; count+1 is the finish page when the lab is finished).
    void viewStep(int step);
    int viewedStep() const { return m_viewed; }
    /// The step to show when the lab opens, instead of the session's current step.
    void setInitialStep(int step) { m_initialStep = step; }
    /// Ask before Reset step and Jump (off in tests).
    void setConfirmResets(bool confirm) { m_confirmResets = confirm; }
    void setDark(bool dark);

    // Actions of the window's shortcuts.
    void runNextCommand();
    void check();
    void nextStep();
    void previousStep();
    void requestHint();
    void showSolution();
    void resetStep();
    void jumpToViewedStep();

    // For tests and the window.
    StepListModel *stepModel() const { return m_steps; }
    /// The commands of the viewed step as the guide shows them (variables filled in).
    QStringList commands() const;
    /// The checklist lines: "passed: <sentence>" or "failed: <sentence>".
    QStringList checklist() const { return m_checklistLines; }
    QStringList hints() const;
    QStringList solutionLines() const;
    QStringList notes() const;
    bool finishShown() const;

signals:
    /// Run a command in the terminal (the window raises the terminal).
    void runRequested(const QString &line);
    /// The viewed step changed (the window remembers it).
    void viewedStepChanged(int step);

private:
    void onLabOpened();
    void rebuildPage();
    void rebuildChecklist();
    void rebuildHints();
    void rebuildSolution();
    void updateButtons();
    void updateProgress(const core::lab::Progress &progress);
    void showFinish();
    void showProblem(const QString &markdown);
    void checkDone();
    QString expand(const std::string &text) const;
    QWidget *noteFrame(const QString &markdown, QWidget *parent) const;
    QWidget *commandRow(const QString &command, const QString &inPod, int index, QWidget *parent);
    const core::lab::StepDef *viewedDef() const;
    bool confirm(const QString &question);

    SessionBridge &m_bridge;
    std::shared_ptr<const core::lab::Definition> m_definition;
    StepListModel *m_steps = nullptr;

    QLabel *m_labTitle = nullptr;
    QProgressBar *m_progress = nullptr;
    QListView *m_stepList = nullptr;
    QStackedWidget *m_stack = nullptr;
    QScrollArea *m_scroll = nullptr;
    QWidget *m_page = nullptr;
    QLabel *m_stepTitle = nullptr;
    QLabel *m_stepState = nullptr;
    QTextBrowser *m_text = nullptr;
    QVBoxLayout *m_notesBox = nullptr;
    QVBoxLayout *m_commandsBox = nullptr;
    QLabel *m_commandsHeading = nullptr;
    QPushButton *m_checkButton = nullptr;
    QPushButton *m_hintButton = nullptr;
    QPushButton *m_solutionButton = nullptr;
    QPushButton *m_resetButton = nullptr;
    QPushButton *m_jumpButton = nullptr;
    QVBoxLayout *m_checklistBox = nullptr;
    QVBoxLayout *m_hintsBox = nullptr;
    QVBoxLayout *m_solutionBox = nullptr;
    QPushButton *m_previousButton = nullptr;
    QPushButton *m_nextButton = nullptr;
    QTextBrowser *m_finish = nullptr;

    int m_viewed = 0;
    int m_checking = 0; ///< the step whose Check is running, or 0
    QTimer m_checkTimeout;
    int m_initialStep = 0;
    bool m_confirmResets = true;
    bool m_dark = false;
    bool m_finished = false;
    QStringList m_commands;
    QStringList m_checklistLines;
    QMap<int, int> m_nextCommand;                ///< step -> index of the command Run goes to next
    QMap<int, QStringList> m_runtimeNotes;       ///< step -> notes the session added (markdown)
    QMap<int, QMap<int, QString>> m_hintTexts;   ///< step -> rung -> markdown
    QMap<int, QStringList> m_solutions;          ///< step -> solution lines
    QMap<int, std::vector<core::lab::CheckResult>> m_results; ///< step -> last Check
};

} // namespace meshcraft::app
