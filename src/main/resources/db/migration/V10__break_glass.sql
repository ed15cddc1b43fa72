-- Break-glass (issue: lifecycle): null = not asked; FALSE = asked, the scope does not allow it
-- (the request is reviewed as any); TRUE = granted at once, an approver reviews it afterwards.
ALTER TABLE access_request ADD COLUMN break_glass BOOLEAN;
