// Airlock's configuration of Camunda's tasklist webapp (it replaces the webjar's scripts/config.js, which
// holds only commented examples and the keyboard shortcuts kept below). disableWelcomeMessage: the sign-in page
// otherwise asks /camunda-welcome (Camunda Run's first-visit box), which Airlock does not serve: a
// failed load in the browser console on every sign-in.
export default {
  disableWelcomeMessage: true,
  shortcuts: {
    claimTask: {
      key: 'ctrl+alt+c',
      description: 'claims the currently selected task'
    },
    focusFilter: {
      key: 'ctrl+shift+f',
      description: 'set the focus to the first filter in the list'
    },
    focusList: {
      key: 'ctrl+alt+l',
      description: 'sets the focus to the first task in the list'
    },
    focusForm: {
      key: 'ctrl+alt+f',
      description: 'sets the focus to the first input field in a task form'
    },
    startProcess: {
      key: 'ctrl+alt+p',
      description: 'opens the start process modal dialog'
    }
  }
};
