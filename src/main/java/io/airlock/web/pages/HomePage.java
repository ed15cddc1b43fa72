package io.airlock.web.pages;

import io.airlock.identity.PortalUsers;
import io.airlock.request.Caller;
import io.airlock.request.RequestService;
import io.airlock.request.RequestStatus;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The start page: what the person holds, what they are waiting for, what waits for them. */
@Controller
class HomePage {

  private final RequestService requests;
  private final PortalUsers users;

  HomePage(RequestService requests, PortalUsers users) {
    this.requests = requests;
    this.users = users;
  }

  @GetMapping("/")
  String home(Authentication auth, Model model) {
    Caller caller = users.caller(auth);
    model.addAttribute("held", requests.access(caller));
    model.addAttribute("pending", requests.list(caller, true, 50).stream()
        .filter(r -> r.getStatus() == RequestStatus.PENDING_REVIEW || r.getStatus() == RequestStatus.SUBMITTED).toList());
    model.addAttribute("waiting", requests.waitingFor(caller).size());
    return "home";
  }
}
