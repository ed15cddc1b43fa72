// Airlock's configuration of Camunda's welcome webapp (it replaces the webjar's scripts/config.js, which
// holds only commented examples). disableWelcomeMessage: the sign-in page
// otherwise asks /camunda-welcome (Camunda Run's first-visit box), which Airlock does not serve: a
// failed load in the browser console on every sign-in.
export default {
  disableWelcomeMessage: true
};
