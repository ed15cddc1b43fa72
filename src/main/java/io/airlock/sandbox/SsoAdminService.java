package io.airlock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.sandbox.SandboxState.AsyncRequest;
import io.airlock.sandbox.SandboxState.Assignment;
import io.airlock.sandbox.SandboxState.PermissionSetInfo;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static io.airlock.sandbox.JsonRequest.MAPPER;
import static io.airlock.sandbox.JsonRequest.epochSeconds;

/** IAM Identity Center admin API (sso-admin), target prefix SWBExternalService. */
final class SsoAdminService {

    static final String TARGET_PREFIX = "SWBExternalService";

    private static final String PARTITIONS = "(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b)";
    static final Pattern INSTANCE_ARN = Pattern.compile("arn:" + PARTITIONS + ":sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}");
    static final Pattern PERMISSION_SET_ARN = Pattern.compile(
            "arn:" + PARTITIONS + ":sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}");
    static final Pattern ACCOUNT_ID = Pattern.compile("\\d{12}");
    static final Pattern PRINCIPAL_ID = Pattern.compile(
            "([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}");
    static final Pattern REQUEST_ID = Pattern.compile(
            "\\b[0-9a-f]{8}\\b-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-\\b[0-9a-f]{12}\\b");
    static final Pattern MANAGED_POLICY_ARN = Pattern.compile(
            "arn:" + PARTITIONS + ":iam::aws:policy((/[A-Za-z0-9.,+@=_-]+)*)/([A-Za-z0-9.,+@=_-]+)");
    static final Pattern PERMISSION_SET_NAME = Pattern.compile("[\\w+=,.@-]{1,32}");
    // As in the API reference (Tag): letters, spaces, digits and _ . : / = + - @, 1 to 128.
    static final Pattern TAG_KEY = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{1,128}");
    private static final int MAX_RESULTS = 100;

    private final SandboxState state;

    SsoAdminService(SandboxState state) {
        this.state = state;
    }

    ObjectNode handle(String operation, JsonRequest req) {
        return switch (operation) {
            case "ListInstances" -> listInstances(req);
            case "ListPermissionSets" -> listPermissionSets(req);
            case "DescribePermissionSet" -> describePermissionSet(req);
            case "CreatePermissionSet" -> createPermissionSet(req);
            case "DeletePermissionSet" -> deletePermissionSet(req);
            case "PutInlinePolicyToPermissionSet" -> putInlinePolicy(req);
            case "GetInlinePolicyForPermissionSet" -> getInlinePolicy(req);
            case "DeleteInlinePolicyFromPermissionSet" -> deleteInlinePolicy(req);
            case "AttachManagedPolicyToPermissionSet" -> attachManagedPolicy(req);
            case "ListManagedPoliciesInPermissionSet" -> listManagedPolicies(req);
            case "ProvisionPermissionSet" -> provisionPermissionSet(req);
            case "DescribePermissionSetProvisioningStatus" -> describeProvisioningStatus(req);
            case "ListPermissionSetsProvisionedToAccount" -> listPermissionSetsProvisionedToAccount(req);
            case "ListAccountsForProvisionedPermissionSet" -> listAccountsForProvisionedPermissionSet(req);
            case "TagResource" -> tagResource(req);
            case "ListTagsForResource" -> listTagsForResource(req);
            case "CreateAccountAssignment" -> createAccountAssignment(req);
            case "DescribeAccountAssignmentCreationStatus" -> describeAssignmentStatus(req,
                    SandboxState.CREATE, "AccountAssignmentCreationRequestId", "AccountAssignmentCreationStatus");
            case "ListAccountAssignmentCreationStatus" -> listAssignmentStatus(req,
                    SandboxState.CREATE, "AccountAssignmentsCreationStatus");
            case "DeleteAccountAssignment" -> deleteAccountAssignment(req);
            case "DescribeAccountAssignmentDeletionStatus" -> describeAssignmentStatus(req,
                    SandboxState.DELETE, "AccountAssignmentDeletionRequestId", "AccountAssignmentDeletionStatus");
            case "ListAccountAssignmentDeletionStatus" -> listAssignmentStatus(req,
                    SandboxState.DELETE, "AccountAssignmentsDeletionStatus");
            case "ListAccountAssignments" -> listAccountAssignments(req);
            default -> throw new SandboxException("UnknownOperationException", 400,
                    "The sandbox does not implement sso-admin operation " + operation);
        };
    }

    // ------------------------------------------------------------------ instance

    private static void requireInstance(JsonRequest req) {
        String arn = req.required("InstanceArn", INSTANCE_ARN);
        if (!DemoOrganization.INSTANCE_ARN.equals(arn)) {
            throw SandboxException.notFound("Could not find Identity Center instance " + arn);
        }
    }

    private static String permissionSetArn(JsonRequest req, String field) {
        String arn = req.required(field, PERMISSION_SET_ARN);
        if (!arn.contains("/" + SandboxState.instanceId() + "/")) {
            throw SandboxException.notFound("Could not find PermissionSet with ARN " + arn);
        }
        return arn;
    }

    private ObjectNode listInstances(JsonRequest req) {
        ObjectNode out = MAPPER.createObjectNode();
        req.page(List.of(DemoOrganization.INSTANCE_ARN), MAX_RESULTS, out, "Instances", arn -> {
            ObjectNode i = MAPPER.createObjectNode();
            i.put("InstanceArn", arn);
            i.put("IdentityStoreId", DemoOrganization.IDENTITY_STORE_ID);
            i.put("OwnerAccountId", DemoOrganization.MANAGEMENT_ACCOUNT_ID);
            i.put("Name", "airlock-sandbox");
            i.put("CreatedDate", epochSeconds(state.instanceCreated()));
            i.put("Status", "ACTIVE");
            return i;
        });
        return out;
    }

    // ------------------------------------------------------------------ permission sets

    private ObjectNode listPermissionSets(JsonRequest req) {
        requireInstance(req);
        ObjectNode out = MAPPER.createObjectNode();
        req.page(state.permissionSetArns(), MAX_RESULTS, out, "PermissionSets", MAPPER::valueToTree);
        return out;
    }

    private static ObjectNode renderPermissionSet(PermissionSetInfo ps, String relayState) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("Name", ps.name());
        n.put("PermissionSetArn", ps.arn());
        if (ps.description() != null) {
            n.put("Description", ps.description());
        }
        n.put("CreatedDate", epochSeconds(ps.createdDate()));
        n.put("SessionDuration", ps.sessionDuration());
        if (relayState != null) {
            n.put("RelayState", relayState);
        }
        return n;
    }

    private ObjectNode describePermissionSet(JsonRequest req) {
        requireInstance(req);
        String arn = permissionSetArn(req, "PermissionSetArn");
        SandboxState.MutablePermissionSet ps;
        PermissionSetInfo info;
        String relay;
        synchronized (state) {
            ps = state.requirePermissionSet(arn);
            info = ps.snapshot();
            relay = ps.relayState;
        }
        ObjectNode out = MAPPER.createObjectNode();
        out.set("PermissionSet", renderPermissionSet(info, relay));
        return out;
    }

    private ObjectNode createPermissionSet(JsonRequest req) {
        requireInstance(req);
        String name = req.required("Name", PERMISSION_SET_NAME);
        String description = req.optional("Description");
        if (description != null && description.length() > 700) {
            throw SandboxException.validation("1 validation error detected: Value at 'description' failed to "
                    + "satisfy constraint: Member must have length less than or equal to 700");
        }
        String sessionDuration = req.optional("SessionDuration");
        if (sessionDuration != null) {
            Duration d;
            try {
                d = Duration.parse(sessionDuration);
            } catch (DateTimeParseException e) {
                throw SandboxException.validation("1 validation error detected: Value '" + sessionDuration
                        + "' at 'sessionDuration' failed to satisfy constraint: Member must be an ISO-8601 duration");
            }
            if (d.compareTo(Duration.ofHours(1)) < 0 || d.compareTo(Duration.ofHours(12)) > 0) {
                throw SandboxException.validation("Value '" + sessionDuration
                        + "' at 'sessionDuration' must be between PT1H and PT12H");
            }
        }
        Map<String, String> tags = readTags(req);
        PermissionSetInfo info = state.createPermissionSet(name, description, sessionDuration,
                req.optional("RelayState"), tags);
        ObjectNode out = MAPPER.createObjectNode();
        out.set("PermissionSet", renderPermissionSet(info, req.optional("RelayState")));
        return out;
    }

    private ObjectNode deletePermissionSet(JsonRequest req) {
        requireInstance(req);
        state.deletePermissionSet(permissionSetArn(req, "PermissionSetArn"));
        return MAPPER.createObjectNode();
    }

    private ObjectNode putInlinePolicy(JsonRequest req) {
        requireInstance(req);
        String arn = permissionSetArn(req, "PermissionSetArn");
        String policy = req.required("InlinePolicy");
        try {
            JsonNode doc = MAPPER.readTree(policy);
            if (doc == null || !doc.isObject() || !doc.has("Statement")) {
                throw SandboxException.validation("The policy document is malformed: it must be a JSON object "
                        + "with a Statement.");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw SandboxException.validation("The policy document is not valid JSON: " + e.getOriginalMessage());
        }
        if (policy.length() > 32_768) {
            throw SandboxException.validation("1 validation error detected: Value at 'inlinePolicy' failed to "
                    + "satisfy constraint: Member must have length less than or equal to 32768");
        }
        state.putInlinePolicy(arn, policy);
        return MAPPER.createObjectNode();
    }

    private ObjectNode getInlinePolicy(JsonRequest req) {
        requireInstance(req);
        ObjectNode out = MAPPER.createObjectNode();
        out.put("InlinePolicy", state.inlinePolicy(permissionSetArn(req, "PermissionSetArn")));
        return out;
    }

    private ObjectNode deleteInlinePolicy(JsonRequest req) {
        requireInstance(req);
        state.deleteInlinePolicy(permissionSetArn(req, "PermissionSetArn"));
        return MAPPER.createObjectNode();
    }

    private ObjectNode attachManagedPolicy(JsonRequest req) {
        requireInstance(req);
        String arn = permissionSetArn(req, "PermissionSetArn");
        state.attachManagedPolicy(arn, req.required("ManagedPolicyArn", MANAGED_POLICY_ARN));
        return MAPPER.createObjectNode();
    }

    private ObjectNode listManagedPolicies(JsonRequest req) {
        requireInstance(req);
        String arn = permissionSetArn(req, "PermissionSetArn");
        ObjectNode out = MAPPER.createObjectNode();
        req.page(state.managedPolicies(arn), MAX_RESULTS, out, "AttachedManagedPolicies", policyArn -> {
            ObjectNode p = MAPPER.createObjectNode();
            p.put("Name", policyArn.substring(policyArn.lastIndexOf('/') + 1));
            p.put("Arn", policyArn);
            return p;
        });
        return out;
    }

    private Map<String, String> readTags(JsonRequest req) {
        Map<String, String> tags = new LinkedHashMap<>();
        JsonNode tagsNode = req.node("Tags");
        if (tagsNode == null) {
            return tags;
        }
        if (!tagsNode.isArray()) {
            throw SandboxException.validation("1 validation error detected: Value at 'tags' failed to satisfy "
                    + "constraint: Member must be a list");
        }
        for (JsonNode t : tagsNode) {
            JsonRequest tag = new JsonRequest(t);
            String key = tag.required("Key", TAG_KEY);
            String value = tag.required("Value");
            if (value.length() > 256) {
                throw SandboxException.validation("1 validation error detected: Value at 'tags.value' failed to "
                        + "satisfy constraint: Member must have length less than or equal to 256");
            }
            tags.put(key, value);
        }
        if (tags.size() > 50) {
            throw SandboxException.validation("1 validation error detected: Value at 'tags' failed to satisfy "
                    + "constraint: Member must have length less than or equal to 50");
        }
        return tags;
    }

    private ObjectNode tagResource(JsonRequest req) {
        requireInstance(req);
        String arn = permissionSetArn(req, "ResourceArn");
        Map<String, String> tags = readTags(req);
        if (req.node("Tags") == null) {
            req.required("Tags");
        }
        state.tagResource(arn, tags);
        return MAPPER.createObjectNode();
    }

    private ObjectNode listTagsForResource(JsonRequest req) {
        requireInstance(req);
        String arn = permissionSetArn(req, "ResourceArn");
        ObjectNode out = MAPPER.createObjectNode();
        req.page(List.copyOf(state.tags(arn).entrySet()), 50, out, "Tags", e -> {
            ObjectNode t = MAPPER.createObjectNode();
            t.put("Key", e.getKey());
            t.put("Value", e.getValue());
            return t;
        });
        return out;
    }

    // ------------------------------------------------------------------ provisioning

    private static ObjectNode renderProvisioning(AsyncRequest r) {
        ObjectNode s = MAPPER.createObjectNode();
        s.put("Status", r.status);
        s.put("RequestId", r.requestId);
        if (r.targetId != null) {
            s.put("AccountId", r.targetId);
        }
        s.put("PermissionSetArn", r.permissionSetArn);
        if (r.failureReason != null) {
            s.put("FailureReason", r.failureReason);
        }
        s.put("CreatedDate", epochSeconds(r.createdDate));
        return s;
    }

    private ObjectNode provisionPermissionSet(JsonRequest req) {
        requireInstance(req);
        String arn = permissionSetArn(req, "PermissionSetArn");
        String targetType = req.requiredEnum("TargetType", "AWS_ACCOUNT", "ALL_PROVISIONED_ACCOUNTS");
        String targetId = req.optional("TargetId", ACCOUNT_ID);
        if ("AWS_ACCOUNT".equals(targetType) && targetId == null) {
            throw SandboxException.validation("TargetId is required when TargetType is AWS_ACCOUNT.");
        }
        if ("ALL_PROVISIONED_ACCOUNTS".equals(targetType) && targetId != null) {
            throw SandboxException.validation("TargetId must not be given when TargetType is ALL_PROVISIONED_ACCOUNTS.");
        }
        AsyncRequest r;
        synchronized (state) {
            r = state.provision(arn, targetId, targetType);
            ObjectNode out = MAPPER.createObjectNode();
            out.set("PermissionSetProvisioningStatus", renderProvisioning(r));
            return out;
        }
    }

    private ObjectNode describeProvisioningStatus(JsonRequest req) {
        requireInstance(req);
        String id = req.required("ProvisionPermissionSetRequestId", REQUEST_ID);
        synchronized (state) {
            AsyncRequest r = state.request(id, SandboxState.PROVISION);
            ObjectNode out = MAPPER.createObjectNode();
            out.set("PermissionSetProvisioningStatus", renderProvisioning(r));
            return out;
        }
    }

    private ObjectNode listPermissionSetsProvisionedToAccount(JsonRequest req) {
        requireInstance(req);
        String accountId = req.required("AccountId", ACCOUNT_ID);
        String status = req.optionalEnum("ProvisioningStatus",
                "LATEST_PERMISSION_SET_PROVISIONED", "LATEST_PERMISSION_SET_NOT_PROVISIONED");
        ObjectNode out = MAPPER.createObjectNode();
        synchronized (state) {
            state.requireAccount(accountId);
            req.page(state.permissionSetsProvisionedTo(accountId, status), MAX_RESULTS, out, "PermissionSets",
                    MAPPER::valueToTree);
        }
        return out;
    }

    private ObjectNode listAccountsForProvisionedPermissionSet(JsonRequest req) {
        requireInstance(req);
        String arn = permissionSetArn(req, "PermissionSetArn");
        String status = req.optionalEnum("ProvisioningStatus",
                "LATEST_PERMISSION_SET_PROVISIONED", "LATEST_PERMISSION_SET_NOT_PROVISIONED");
        ObjectNode out = MAPPER.createObjectNode();
        req.page(state.accountsProvisionedWith(arn, status), MAX_RESULTS, out, "AccountIds", MAPPER::valueToTree);
        return out;
    }

    // ------------------------------------------------------------------ account assignments

    private static Assignment readAssignment(JsonRequest req) {
        requireInstance(req);
        String targetId = req.required("TargetId", ACCOUNT_ID);
        req.requiredEnum("TargetType", "AWS_ACCOUNT");
        String arn = permissionSetArn(req, "PermissionSetArn");
        String principalType = req.requiredEnum("PrincipalType", "USER", "GROUP");
        String principalId = req.required("PrincipalId", PRINCIPAL_ID);
        return new Assignment(targetId, arn, principalType, principalId);
    }

    private static ObjectNode renderAssignmentStatus(AsyncRequest r) {
        ObjectNode s = MAPPER.createObjectNode();
        s.put("Status", r.status);
        s.put("RequestId", r.requestId);
        if (r.failureReason != null) {
            s.put("FailureReason", r.failureReason);
        }
        s.put("TargetId", r.assignment.accountId());
        s.put("TargetType", r.targetType);
        s.put("PermissionSetArn", r.assignment.permissionSetArn());
        s.put("PrincipalType", r.assignment.principalType());
        s.put("PrincipalId", r.assignment.principalId());
        s.put("CreatedDate", epochSeconds(r.createdDate));
        return s;
    }

    private ObjectNode createAccountAssignment(JsonRequest req) {
        Assignment a = readAssignment(req);
        synchronized (state) {
            AsyncRequest r = state.createAssignment(a);
            ObjectNode out = MAPPER.createObjectNode();
            out.set("AccountAssignmentCreationStatus", renderAssignmentStatus(r));
            return out;
        }
    }

    private ObjectNode deleteAccountAssignment(JsonRequest req) {
        Assignment a = readAssignment(req);
        synchronized (state) {
            AsyncRequest r = state.deleteAssignment(a);
            ObjectNode out = MAPPER.createObjectNode();
            out.set("AccountAssignmentDeletionStatus", renderAssignmentStatus(r));
            return out;
        }
    }

    private ObjectNode describeAssignmentStatus(JsonRequest req, String operation, String idField,
                                                String outField) {
        requireInstance(req);
        String id = req.required(idField, REQUEST_ID);
        synchronized (state) {
            AsyncRequest r = state.request(id, operation);
            ObjectNode out = MAPPER.createObjectNode();
            out.set(outField, renderAssignmentStatus(r));
            return out;
        }
    }

    private ObjectNode listAssignmentStatus(JsonRequest req, String operation, String listField) {
        requireInstance(req);
        String statusFilter = null;
        JsonNode filter = req.node("Filter");
        if (filter != null) {
            statusFilter = new JsonRequest(filter).optionalEnum("Status", "IN_PROGRESS", "FAILED", "SUCCEEDED");
        }
        ObjectNode out = MAPPER.createObjectNode();
        synchronized (state) {
            req.page(state.requestsOf(operation, statusFilter), MAX_RESULTS, out, listField, r -> {
                ObjectNode m = MAPPER.createObjectNode();
                m.put("Status", r.status);
                m.put("RequestId", r.requestId);
                m.put("CreatedDate", epochSeconds(r.createdDate));
                return m;
            });
        }
        return out;
    }

    private ObjectNode listAccountAssignments(JsonRequest req) {
        requireInstance(req);
        String accountId = req.required("AccountId", ACCOUNT_ID);
        String arn = permissionSetArn(req, "PermissionSetArn");
        ObjectNode out = MAPPER.createObjectNode();
        req.page(state.assignmentsFor(accountId, arn), MAX_RESULTS, out, "AccountAssignments", a -> {
            ObjectNode n = MAPPER.createObjectNode();
            n.put("AccountId", a.accountId());
            n.put("PermissionSetArn", a.permissionSetArn());
            n.put("PrincipalType", a.principalType());
            n.put("PrincipalId", a.principalId());
            return n;
        });
        return out;
    }
}
