package io.airlock.cli;

/**
 * What an exit code says happened, the same for every command (README, "From the terminal").
 * Scripts branch on these; the text (or {@code --output json}'s {@code error}) says why in words.
 */
public enum Exit {
  /** Done: filed, granted, ended, withdrawn, reviewed. */
  DONE(0, "done"),
  /** Airlock or its policy said no: denied, not allowed by policy, four eyes, not in a state that allows it. */
  REFUSED(1, "refused"),
  /** Bad input: a wrong or missing option, a duration that is none, a field Airlock named, an unknown request. */
  BAD_INPUT(2, "bad-input"),
  /** Not signed in, or the sign-in is no longer accepted: run {@code airlock login}. */
  NOT_SIGNED_IN(3, "not-signed-in"),
  /** Airlock (or the identity provider) cannot be reached or answers that it cannot work right now. */
  UNREACHABLE(4, "unreachable"),
  /** Waited as long as asked and the outcome has not come yet. */
  TIMED_OUT(5, "timed-out"),
  /** Something the CLI did not expect (a bug to report), never a stack trace. */
  UNEXPECTED(10, "unexpected");

  private final int code;
  private final String word;

  Exit(int code, String word) {
    this.code = code;
    this.word = word;
  }

  public int code() {
    return code;
  }

  /** The kind in words, as {@code --output json} names it ("refused"). */
  public String word() {
    return word;
  }
}
