package io.airlock.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.sandbox.SandboxState.Group;
import io.airlock.sandbox.SandboxState.Membership;
import io.airlock.sandbox.SandboxState.User;

import java.util.List;
import java.util.regex.Pattern;

import static io.airlock.sandbox.JsonRequest.MAPPER;
import static io.airlock.sandbox.JsonRequest.epochSeconds;

/** IAM Identity Center identity store API, target prefix AWSIdentityStore. */
final class IdentityStoreService {

    static final String TARGET_PREFIX = "AWSIdentityStore";

    static final Pattern IDENTITY_STORE_ID = Pattern.compile(
            "d-[0-9a-f]{10}|[0-9a-f]{8}\\b-[0-9a-f]{4}\\b-[0-9a-f]{4}\\b-[0-9a-f]{4}\\b-[0-9a-f]{12}");
    static final Pattern RESOURCE_ID = Pattern.compile(
            "([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}");
    private static final int MAX_RESULTS = 100;

    private final SandboxState state;

    IdentityStoreService(SandboxState state) {
        this.state = state;
    }

    ObjectNode handle(String operation, JsonRequest req) {
        return switch (operation) {
            case "ListUsers" -> listUsers(req);
            case "DescribeUser" -> describeUser(req);
            case "GetUserId" -> getUserId(req);
            case "ListGroups" -> listGroups(req);
            case "DescribeGroup" -> describeGroup(req);
            case "GetGroupId" -> getGroupId(req);
            case "ListGroupMemberships" -> listGroupMemberships(req);
            case "ListGroupMembershipsForMember" -> listGroupMembershipsForMember(req);
            case "GetGroupMembershipId" -> getGroupMembershipId(req);
            case "DescribeGroupMembership" -> describeGroupMembership(req);
            case "CreateGroupMembership" -> createGroupMembership(req);
            case "DeleteGroupMembership" -> deleteGroupMembership(req);
            default -> throw new SandboxException("UnknownOperationException", 400,
                    "The sandbox does not implement identitystore operation " + operation);
        };
    }

    private static void requireStore(JsonRequest req) {
        String id = req.required("IdentityStoreId", IDENTITY_STORE_ID);
        if (!DemoOrganization.IDENTITY_STORE_ID.equals(id)) {
            throw notFound("IDENTITY_STORE", id, "Identity store " + id + " does not exist.");
        }
    }

    private static SandboxException notFound(String resourceType, String resourceId, String message) {
        return SandboxException.notFound(message).with("ResourceType", resourceType).with("ResourceId", resourceId);
    }

    /** The single supported filter (deprecated by AWS but still served): AttributePath must be {@code path}. */
    private static String filterValue(JsonRequest req, String path) {
        JsonNode filters = req.node("Filters");
        if (filters == null || filters.isEmpty()) {
            return null;
        }
        if (!filters.isArray() || filters.size() > 1) {
            throw SandboxException.validation("1 validation error detected: Value at 'filters' failed to satisfy "
                    + "constraint: Member must have length less than or equal to 1");
        }
        JsonRequest f = new JsonRequest(filters.get(0));
        String attributePath = f.required("AttributePath");
        if (!path.equals(attributePath)) {
            throw SandboxException.validation("Filtering by attribute path " + attributePath
                    + " is not supported; use " + path + ".");
        }
        return f.required("AttributeValue");
    }

    private static ObjectNode renderUser(User u, ObjectNode n) {
        n.put("IdentityStoreId", DemoOrganization.IDENTITY_STORE_ID);
        n.put("UserId", u.userId());
        n.put("UserName", u.userName());
        ObjectNode name = n.putObject("Name");
        name.put("Formatted", u.displayName());
        name.put("FamilyName", u.familyName());
        name.put("GivenName", u.givenName());
        n.put("DisplayName", u.displayName());
        if (u.email() != null) {
            ArrayNode emails = n.putArray("Emails");
            ObjectNode e = emails.addObject();
            e.put("Value", u.email());
            e.put("Type", "work");
            e.put("Primary", true);
        }
        n.put("UserStatus", "ENABLED");
        n.put("CreatedAt", epochSeconds(u.createdAt()));
        n.put("CreatedBy", "airlock-sandbox");
        n.put("UpdatedAt", epochSeconds(u.createdAt()));
        n.put("UpdatedBy", "airlock-sandbox");
        return n;
    }

    private static ObjectNode renderGroup(Group g, ObjectNode n) {
        n.put("GroupId", g.groupId());
        n.put("DisplayName", g.displayName());
        if (g.description() != null) {
            n.put("Description", g.description());
        }
        n.put("CreatedAt", epochSeconds(g.createdAt()));
        n.put("UpdatedAt", epochSeconds(g.createdAt()));
        n.put("CreatedBy", "airlock-sandbox");
        n.put("UpdatedBy", "airlock-sandbox");
        n.put("IdentityStoreId", DemoOrganization.IDENTITY_STORE_ID);
        return n;
    }

    private static ObjectNode renderMembership(Membership m) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("IdentityStoreId", DemoOrganization.IDENTITY_STORE_ID);
        n.put("MembershipId", m.membershipId());
        n.put("GroupId", m.groupId());
        n.putObject("MemberId").put("UserId", m.userId());
        n.put("CreatedAt", epochSeconds(m.createdAt()));
        n.put("UpdatedAt", epochSeconds(m.createdAt()));
        n.put("CreatedBy", "airlock-sandbox");
        n.put("UpdatedBy", "airlock-sandbox");
        return n;
    }

    private ObjectNode listUsers(JsonRequest req) {
        requireStore(req);
        String userName = filterValue(req, "UserName");
        List<User> users = state.userList().stream()
                .filter(u -> userName == null || u.userName().equalsIgnoreCase(userName))
                .toList();
        ObjectNode out = MAPPER.createObjectNode();
        req.page(users, MAX_RESULTS, out, "Users", u -> renderUser(u, MAPPER.createObjectNode()));
        return out;
    }

    private ObjectNode describeUser(JsonRequest req) {
        requireStore(req);
        String userId = req.required("UserId", RESOURCE_ID);
        User u = state.user(userId).orElseThrow(() -> notFound("USER", userId, "USER not found."));
        return renderUser(u, MAPPER.createObjectNode());
    }

    private static String uniqueAttribute(JsonRequest req, String expectedPath) {
        JsonNode alt = req.node("AlternateIdentifier");
        if (alt == null) {
            req.required("AlternateIdentifier");
        }
        JsonNode unique = alt.get("UniqueAttribute");
        if (unique == null || unique.isNull()) {
            if (alt.has("ExternalId")) {
                throw SandboxException.notFound("No resource with that ExternalId exists.");
            }
            throw SandboxException.validation("1 validation error detected: Value null at "
                    + "'alternateIdentifier.uniqueAttribute' failed to satisfy constraint: Member must not be null");
        }
        JsonRequest u = new JsonRequest(unique);
        String path = u.required("AttributePath");
        JsonNode value = u.node("AttributeValue");
        if (value == null || !value.isTextual()) {
            throw SandboxException.validation("1 validation error detected: Value at "
                    + "'alternateIdentifier.uniqueAttribute.attributeValue' failed to satisfy constraint: "
                    + "Member must be a string");
        }
        if (!expectedPath.equalsIgnoreCase(path)) {
            throw SandboxException.validation("Unsupported AttributePath " + path + "; use " + expectedPath + ".");
        }
        return value.asText();
    }

    private ObjectNode getUserId(JsonRequest req) {
        requireStore(req);
        String userName = uniqueAttribute(req, "userName");
        User u = state.findUserByName(userName)
                .orElseThrow(() -> notFound("USER", userName, "USER not found."));
        ObjectNode out = MAPPER.createObjectNode();
        out.put("IdentityStoreId", DemoOrganization.IDENTITY_STORE_ID);
        out.put("UserId", u.userId());
        return out;
    }

    private ObjectNode listGroups(JsonRequest req) {
        requireStore(req);
        String displayName = filterValue(req, "DisplayName");
        List<Group> groups = state.groupList().stream()
                .filter(g -> displayName == null || g.displayName().equalsIgnoreCase(displayName))
                .toList();
        ObjectNode out = MAPPER.createObjectNode();
        req.page(groups, MAX_RESULTS, out, "Groups", g -> renderGroup(g, MAPPER.createObjectNode()));
        return out;
    }

    private ObjectNode describeGroup(JsonRequest req) {
        requireStore(req);
        String groupId = req.required("GroupId", RESOURCE_ID);
        Group g = state.group(groupId).orElseThrow(() -> notFound("GROUP", groupId, "GROUP not found."));
        return renderGroup(g, MAPPER.createObjectNode());
    }

    private ObjectNode getGroupId(JsonRequest req) {
        requireStore(req);
        String displayName = uniqueAttribute(req, "displayName");
        Group g = state.groupList().stream().filter(x -> x.displayName().equalsIgnoreCase(displayName)).findFirst()
                .orElseThrow(() -> notFound("GROUP", displayName, "GROUP not found."));
        ObjectNode out = MAPPER.createObjectNode();
        out.put("GroupId", g.groupId());
        out.put("IdentityStoreId", DemoOrganization.IDENTITY_STORE_ID);
        return out;
    }

    private ObjectNode listGroupMemberships(JsonRequest req) {
        requireStore(req);
        String groupId = req.required("GroupId", RESOURCE_ID);
        state.group(groupId).orElseThrow(() -> notFound("GROUP", groupId, "GROUP not found."));
        ObjectNode out = MAPPER.createObjectNode();
        req.page(state.membershipsOfGroup(groupId), MAX_RESULTS, out, "GroupMemberships",
                IdentityStoreService::renderMembership);
        return out;
    }

    private ObjectNode listGroupMembershipsForMember(JsonRequest req) {
        requireStore(req);
        String userId = member(req);
        ObjectNode out = MAPPER.createObjectNode();
        req.page(state.membershipsOfUser(userId), MAX_RESULTS, out, "GroupMemberships",
                IdentityStoreService::renderMembership);
        return out;
    }

    /** The user a {@code MemberId} names (the only kind of member there is), who must exist. */
    private String member(JsonRequest req) {
        JsonNode member = req.node("MemberId");
        if (member == null) {
            req.required("MemberId");
        }
        String userId = new JsonRequest(member).required("UserId", RESOURCE_ID);
        state.user(userId).orElseThrow(() -> notFound("USER", userId, "USER not found."));
        return userId;
    }

    private ObjectNode getGroupMembershipId(JsonRequest req) {
        requireStore(req);
        String groupId = req.required("GroupId", RESOURCE_ID);
        String userId = member(req);
        Membership m = state.membershipsOfGroup(groupId).stream().filter(x -> x.userId().equals(userId)).findFirst()
                .orElseThrow(() -> notFound("GROUP_MEMBERSHIP", groupId, "GROUP_MEMBERSHIP not found."));
        ObjectNode out = MAPPER.createObjectNode();
        out.put("MembershipId", m.membershipId());
        out.put("IdentityStoreId", DemoOrganization.IDENTITY_STORE_ID);
        return out;
    }

    private ObjectNode describeGroupMembership(JsonRequest req) {
        requireStore(req);
        String membershipId = req.required("MembershipId", RESOURCE_ID);
        return renderMembership(state.membership(membershipId).orElseThrow(() -> notFound("GROUP_MEMBERSHIP",
                membershipId, "GROUP_MEMBERSHIP not found.")));
    }

    /** As Identity Store: the group and the user must exist; a second membership of the same user is a conflict. */
    private ObjectNode createGroupMembership(JsonRequest req) {
        requireStore(req);
        String groupId = req.required("GroupId", RESOURCE_ID);
        state.group(groupId).orElseThrow(() -> notFound("GROUP", groupId, "GROUP not found."));
        String userId = member(req);
        Membership m = state.createMembership(groupId, userId).orElseThrow(() -> SandboxException
                .conflict("Duplicate GroupMembership").with("Reason", "UNIQUENESS_CONSTRAINT_VIOLATION"));
        ObjectNode out = MAPPER.createObjectNode();
        out.put("MembershipId", m.membershipId());
        out.put("IdentityStoreId", DemoOrganization.IDENTITY_STORE_ID);
        return out;
    }

    private ObjectNode deleteGroupMembership(JsonRequest req) {
        requireStore(req);
        String membershipId = req.required("MembershipId", RESOURCE_ID);
        if (!state.deleteMembership(membershipId)) {
            throw notFound("GROUP_MEMBERSHIP", membershipId, "GROUP_MEMBERSHIP not found.");
        }
        return MAPPER.createObjectNode();
    }
}
