// Airlock's pages: moments in the reader's time zone (UTC stays on hover), and nothing else
// that a page needs to work: every form and link works without this script.
(function () {
  'use strict';
  var fmt = new Intl.DateTimeFormat(undefined, {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short'
  });
  function localTimes(root) {
    var times = (root || document).querySelectorAll('time[datetime][data-local]');
    for (var i = 0; i < times.length; i++) {
      var t = times[i];
      var d = new Date(t.getAttribute('datetime'));
      if (!isNaN(d.getTime())) {
        if (!t.title) { t.title = t.textContent; }
        t.textContent = fmt.format(d);
        t.removeAttribute('data-local');
      }
    }
  }
  // A date-time picker gives the reader's local time; the server takes UTC with the offset.
  function zoneFields(root) {
    var fields = (root || document).querySelectorAll('input[data-zone-offset]');
    for (var i = 0; i < fields.length; i++) {
      fields[i].value = String(-new Date().getTimezoneOffset());
    }
  }
  function ready(root) { localTimes(root); zoneFields(root); }
  document.addEventListener('DOMContentLoaded', function () { ready(document); });
  document.addEventListener('htmx:afterSwap', function (e) { ready(e.target); });
})();
