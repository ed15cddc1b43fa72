-- Issue 25 item 4: the explorer on an organization of 200,000 assignments. Its filters by user
-- or group, by group membership and by permission set read these indexes instead of every
-- assignment (by account: the primary key's first column).
CREATE INDEX inventory_assignment_principal ON inventory_assignment (principal_id, principal_type);
CREATE INDEX inventory_assignment_permission_set ON inventory_assignment (permission_set_arn);
CREATE INDEX inventory_membership_user ON inventory_membership (user_id);
CREATE INDEX inventory_group_name ON inventory_group (display_name);
