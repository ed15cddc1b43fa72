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
    private static final Pattern CHILD_ID = Pattern.compile("\\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}");
    private static final Pattern PARENT_ID = Pattern.compile("r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}");
    private static final Pattern OU_ID = Pattern.compile("ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}");
    private static final Pattern TAGGABLE_ID = Pattern.compile("\\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32}");
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
            case "ListParents" -> listParents(req);
            case "ListRoots" -> listRoots(req);
            case "ListOrganizationalUnitsForParent" -> listOrganizationalUnitsForParent(req);
            case "ListAccountsForParent" -> listAccountsForParent(req);
            case "DescribeOrganizationalUnit" -> describeOrganizationalUnit(req);
            case "ListTagsForResource" -> listTagsForResource(req);
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

    private String input(JsonRequest req, String field, Pattern pattern) {
        try {
            return req.required(field, pattern);
        } catch (SandboxException e) {
            throw new SandboxException("InvalidInputException", 400, e.getMessage()).with("Reason", "INVALID_PATTERN");
        }
    }

    /** The one parent (the root or an OU) of an account or OU. */
    private ObjectNode listParents(JsonRequest req) {
        String child = input(req, "ChildId", CHILD_ID);
        String parent;
        if (child.startsWith("ou-")) {
            parent = state.organizationalUnit(child).map(SandboxState.OrganizationalUnit::parentId)
                    .orElseThrow(() -> new SandboxException("ChildNotFoundException", 400,
                            "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified."));
        } else {
            parent = state.account(child).map(Account::parentId)
                    .orElseThrow(() -> new SandboxException("ChildNotFoundException", 400,
                            "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified."));
        }
        ObjectNode out = MAPPER.createObjectNode();
        req.page(java.util.List.of(parent), MAX_RESULTS, out, "Parents", id -> {
            ObjectNode n = MAPPER.createObjectNode();
            n.put("Id", id);
            n.put("Type", id.startsWith("ou-") ? "ORGANIZATIONAL_UNIT" : "ROOT");
            return n;
        }, "InvalidInputException");
        return out;
    }

    /** The organization's one root. */
    private ObjectNode listRoots(JsonRequest req) {
        ObjectNode out = MAPPER.createObjectNode();
        req.page(java.util.List.of(DemoOrganization.ROOT_ID), MAX_RESULTS, out, "Roots", id -> {
            ObjectNode n = MAPPER.createObjectNode();
            n.put("Id", id);
            n.put("Arn", "arn:aws:organizations::" + DemoOrganization.MANAGEMENT_ACCOUNT_ID + ":root/"
                    + DemoOrganization.ORGANIZATION_ID + "/" + id);
            n.put("Name", "Root");
            n.putArray("PolicyTypes");
            return n;
        }, "InvalidInputException");
        return out;
    }

    /** The root or OU a ParentId names; ParentNotFoundException when there is none. */
    private String parent(JsonRequest req) {
        String id = input(req, "ParentId", PARENT_ID);
        boolean exists = id.startsWith("r-") ? DemoOrganization.ROOT_ID.equals(id)
                : state.organizationalUnit(id).isPresent();
        if (!exists) {
            throw new SandboxException("ParentNotFoundException", 400,
                    "We can't find a root or OU with the ParentId that you specified.");
        }
        return id;
    }

    /** The OUs directly under a root or OU, with their names. */
    private ObjectNode listOrganizationalUnitsForParent(JsonRequest req) {
        String parent = parent(req);
        ObjectNode out = MAPPER.createObjectNode();
        req.page(state.organizationalUnitsUnder(parent), MAX_RESULTS, out, "OrganizationalUnits",
                OrganizationsService::renderOrganizationalUnit, "InvalidInputException");
        return out;
    }

    /** The accounts directly under a root or OU (not in its child OUs). */
    private ObjectNode listAccountsForParent(JsonRequest req) {
        String parent = parent(req);
        ObjectNode out = MAPPER.createObjectNode();
        req.page(state.accountsUnder(parent), MAX_RESULTS, out, "Accounts", OrganizationsService::renderAccount,
                "InvalidInputException");
        return out;
    }

    private static ObjectNode renderOrganizationalUnit(SandboxState.OrganizationalUnit ou) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("Id", ou.id());
        n.put("Arn", "arn:aws:organizations::" + DemoOrganization.MANAGEMENT_ACCOUNT_ID + ":ou/"
                + DemoOrganization.ORGANIZATION_ID + "/" + ou.id());
        n.put("Name", ou.name());
        return n;
    }

    private ObjectNode describeOrganizationalUnit(JsonRequest req) {
        String id = input(req, "OrganizationalUnitId", OU_ID);
        SandboxState.OrganizationalUnit ou = state.organizationalUnit(id).orElseThrow(() -> new SandboxException(
                "OrganizationalUnitNotFoundException", 400, "We can't find an OU with the OrganizationalUnitId that you specified."));
        ObjectNode out = MAPPER.createObjectNode();
        out.set("OrganizationalUnit", renderOrganizationalUnit(ou));
        return out;
    }

    /** Tags of an account (OUs and the root carry none in the sandbox). */
    private ObjectNode listTagsForResource(JsonRequest req) {
        String id = input(req, "ResourceId", TAGGABLE_ID);
        java.util.Map<String, String> tags;
        if (id.startsWith("ou-")) {
            state.organizationalUnit(id).orElseThrow(() -> new SandboxException("TargetNotFoundException", 400,
                    "We can't find a root, OU, account, or policy with the TargetId that you specified."));
            tags = java.util.Map.of();
        } else if (id.startsWith("r-")) {
            if (!DemoOrganization.ROOT_ID.equals(id)) {
                throw new SandboxException("TargetNotFoundException", 400,
                        "We can't find a root, OU, account, or policy with the TargetId that you specified.");
            }
            tags = java.util.Map.of();
        } else {
            tags = state.account(id).map(Account::tags).orElseThrow(() -> new SandboxException(
                    "TargetNotFoundException", 400,
                    "We can't find a root, OU, account, or policy with the TargetId that you specified."));
        }
        ObjectNode out = MAPPER.createObjectNode();
        req.page(new java.util.ArrayList<>(new java.util.TreeMap<>(tags).entrySet()), MAX_RESULTS, out, "Tags", e -> {
            ObjectNode n = MAPPER.createObjectNode();
            n.put("Key", e.getKey());
            n.put("Value", e.getValue());
            return n;
        }, "InvalidInputException");
        return out;
    }
}
