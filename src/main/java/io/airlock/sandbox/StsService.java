package io.airlock.sandbox;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** AWS STS (Query protocol, XML responses): GetCallerIdentity and AssumeRole. */
final class StsService {

    static final String XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
    static final String CALLER_ARN = "arn:aws:iam::" + DemoOrganization.MANAGEMENT_ACCOUNT_ID + ":user/airlock-sandbox";
    static final String CALLER_USER_ID = "AIDAAIRLOCKSANDBOX0001";

    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role/((?:[\\w+=,.@-]+/)*)([\\w+=,.@-]{1,64})");
    private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");
    private static final String ALPHANUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private final SandboxState state;
    private final SandboxSettings settings;
    private final SecureRandom random = new SecureRandom();

    StsService(SandboxState state, SandboxSettings settings) {
        this.state = state;
        this.settings = settings;
    }

    /** Returns the XML result element content (inside {@code <ActionResult>}). */
    String handle(String action, Map<String, String> params) {
        return switch (action) {
            case "GetCallerIdentity" -> "<Arn>" + CALLER_ARN + "</Arn><UserId>" + CALLER_USER_ID + "</UserId>"
                    + "<Account>" + DemoOrganization.MANAGEMENT_ACCOUNT_ID + "</Account>";
            case "AssumeRole" -> assumeRole(params);
            default -> throw new SandboxException("InvalidAction", 400,
                    "Could not find operation " + action + " for version 2011-06-15");
        };
    }

    private String assumeRole(Map<String, String> params) {
        String roleArn = params.get("RoleArn");
        if (roleArn == null) {
            throw validation("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: "
                    + "Member must not be null");
        }
        String sessionName = params.get("RoleSessionName");
        if (sessionName == null || !SESSION_NAME.matcher(sessionName).matches()) {
            throw validation("1 validation error detected: Value '" + sessionName + "' at 'roleSessionName' failed "
                    + "to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        }
        Matcher m = ROLE_ARN.matcher(roleArn);
        if (!m.matches()) {
            throw validation(roleArn + " is invalid");
        }
        int duration = 3600;
        String ds = params.get("DurationSeconds");
        if (ds != null) {
            try {
                duration = Integer.parseInt(ds);
            } catch (NumberFormatException e) {
                duration = -1;
            }
            if (duration < 900 || duration > 43200) {
                throw validation("1 validation error detected: Value '" + ds + "' at 'durationSeconds' failed to "
                        + "satisfy constraint: Member must have value between 900 and 43200");
            }
        }
        String accountId = m.group(1);
        String roleName = m.group(3);
        String externalId = params.get("ExternalId");
        if (state.account(accountId).isEmpty() || !settings.externalId().equals(externalId)) {
            throw new SandboxException("AccessDenied", 403, "User: " + CALLER_ARN
                    + " is not authorized to perform: sts:AssumeRole on resource: " + roleArn);
        }
        Instant expiration = state.now().plusSeconds(duration).truncatedTo(ChronoUnit.SECONDS);
        String roleId = "AROA" + randomId(16);
        String accessKeyId = "ASIA" + randomId(16);
        state.recordSession(accessKeyId, accountId);
        return "<AssumedRoleUser><AssumedRoleId>" + roleId + ":" + xml(sessionName) + "</AssumedRoleId>"
                + "<Arn>arn:aws:sts::" + accountId + ":assumed-role/" + xml(roleName) + "/" + xml(sessionName)
                + "</Arn></AssumedRoleUser>"
                + "<Credentials><AccessKeyId>" + accessKeyId + "</AccessKeyId>"
                + "<SecretAccessKey>" + randomSecret(40) + "</SecretAccessKey>"
                + "<SessionToken>" + randomSecret(120) + "</SessionToken>"
                + "<Expiration>" + expiration + "</Expiration></Credentials>"
                + "<PackedPolicySize>0</PackedPolicySize>";
    }

    private static SandboxException validation(String message) {
        return new SandboxException("ValidationError", 400, message);
    }

    private String randomId(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(ALPHANUM.charAt(random.nextInt(ALPHANUM.length())));
        }
        return sb.toString();
    }

    private String randomSecret(int n) {
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(chars.charAt(random.nextInt(chars.length())));
        }
        return sb.toString();
    }

    static String xml(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&apos;");
    }
}
