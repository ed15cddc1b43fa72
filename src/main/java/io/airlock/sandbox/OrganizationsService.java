package io.airlock.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.sandbox.SandboxState.Account;

import java.util.regex.Pattern;

import static io.airlock.sandbox.JsonRequest.MAPPER;
import static io.airlock.sandbox.JsonRequest.epochSeconds;

/** AWS Organizations API (read-only subset), target prefix AWSOrganizationsV20161128. */
final class OrganizationsService {

    static final String TARGET_PREFIX = "AWSOrganizationsV20161128";
    private static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    private static final int MAX_RESULTS = 20;

    private final SandboxState state;

    OrganizationsService(SandboxState state) {
        this.state = state;
    }

    ObjectNode handle(String operation, JsonRequest req) {
        return switch (operation) {
            case "DescribeOrganization" -> describeOrganization();
            case "ListAccounts" -> listAccounts(req);
            case "DescribeAccount" -> describeAccount(req);
            default -> throw new SandboxException("UnknownOperationException", 400,
                    "The sandbox does not implement organizations operation " + operation);
        };
    }

    static String organizationArn() {
        return "arn:aws:organizations::" + DemoOrganization.MANAGEMENT_ACCOUNT_ID + ":organization/"
                + DemoOrganization.ORGANIZATION_ID;
    }

    private ObjectNode describeOrganization() {
        ObjectNode org = MAPPER.createObjectNode();
        org.put("Id", DemoOrganization.ORGANIZATION_ID);
        org.put("Arn", organizationArn());
        org.put("FeatureSet", "ALL");
        org.put("MasterAccountArn", accountArn(DemoOrganization.MANAGEMENT_ACCOUNT_ID));
        org.put("MasterAccountId", DemoOrganization.MANAGEMENT_ACCOUNT_ID);
        String email = state.account(DemoOrganization.MANAGEMENT_ACCOUNT_ID).map(Account::email)
                .orElse("aws+management@airlock.example");
        org.put("MasterAccountEmail", email);
        ArrayNode types = org.putArray("AvailablePolicyTypes");
        ObjectNode scp = types.addObject();
        scp.put("Type", "SERVICE_CONTROL_POLICY");
        scp.put("Status", "ENABLED");
        ObjectNode out = MAPPER.createObjectNode();
        out.set("Organization", org);
        return out;
    }

    private static String accountArn(String accountId) {
        return "arn:aws:organizations::" + DemoOrganization.MANAGEMENT_ACCOUNT_ID + ":account/"
                + DemoOrganization.ORGANIZATION_ID + "/" + accountId;
    }

    private static ObjectNode renderAccount(Account a) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("Id", a.id());
        n.put("Arn", accountArn(a.id()));
        n.put("Email", a.email());
        n.put("Name", a.name());
        n.put("Status", "ACTIVE");
        n.put("State", "ACTIVE");
        n.put("JoinedMethod", DemoOrganization.MANAGEMENT_ACCOUNT_ID.equals(a.id()) ? "INVITED" : "CREATED");
        n.put("JoinedTimestamp", epochSeconds(a.joinedAt()));
        return n;
    }

    private ObjectNode listAccounts(JsonRequest req) {
        ObjectNode out = MAPPER.createObjectNode();
        req.page(state.accountList(), MAX_RESULTS, out, "Accounts", OrganizationsService::renderAccount,
                "InvalidInputException");
        return out;
    }

    private ObjectNode describeAccount(JsonRequest req) {
        String accountId;
        try {
            accountId = req.required("AccountId", ACCOUNT_ID);
        } catch (SandboxException e) {
            throw new SandboxException("InvalidInputException", 400, e.getMessage()).with("Reason", "INVALID_PATTERN");
        }
        Account a = state.account(accountId).orElseThrow(() -> new SandboxException("AccountNotFoundException", 400,
                "You specified an account that doesn't exist."));
        ObjectNode out = MAPPER.createObjectNode();
        out.set("Account", renderAccount(a));
        return out;
    }
}
