namespace ChangeTrail.Server.Features.Demo;

/// <summary>The sample organisation's Change Management Policy: the policy ChangeTrail implements, in Markdown.</summary>
internal static class DemoPolicy
{
    public const string Summary = "First version in ChangeTrail, carried over from the policy approved in July 2025.";

    public const string Text = """
        # Change Management Policy

        **Owner:** Engineering and Security Teams

        ## 1. Purpose

        To establish standardized procedures for initiating, reviewing, approving, implementing, and documenting changes to
        information systems, codebases, configurations, infrastructure, and services, in order to maintain system integrity,
        availability, and compliance with SOC 2 requirements.

        ## 2. Scope

        All personnel and contractors involved in making changes to production systems, code repositories, cloud
        infrastructure, application configurations, or third-party services that may affect operations.

        ## 3. Policy statements

        ### 3.1 Change classification

        - **Standard changes:** pre-approved low-risk, repeatable changes (e.g. routine patching).
        - **Normal changes:** require assessment, approval, testing, and documentation.
        - **Emergency changes:** must be resolved immediately due to critical failure or incident and documented retrospectively.

        ### 3.2 Change request and review

        - All changes begin with a Change Request (CR) submitted through ChangeTrail.
        - Each CR includes: purpose, scope, impact analysis, rollback plan, test results, and implementation timeline.
        - A risk assessment determines the potential impact on security, availability, and operations.

        ### 3.3 Approval process

        - All Normal and Emergency changes are reviewed and approved by a designated Change Approver.
        - Changes impacting regulated data or security controls require additional sign-off from the Security Team.

        ### 3.4 Testing and validation

        - Changes are tested in a non-production environment prior to deployment.
        - Automated test suites (unit, integration, security) are executed and passed.

        ### 3.5 Implementation and documentation

        - Approved changes are deployed via automated CI/CD pipelines with access controls and audit logging enabled.
        - A post-deployment verification confirms the expected outcome.
        - All change records are retained for at least 12 months for audit purposes.

        ### 3.6 Emergency changes

        - Documented within 24 hours of implementation.
        - Reviewed post-implementation by the Change Advisory Board (CAB).

        ### 3.7 Separation of duties

        - Developers do not deploy code to production without peer review or approval.
        - CI/CD pipelines enforce least privilege and role-based access control.

        ### 3.8 Monitoring and auditability

        - All changes are logged, timestamped, and linked to an approved change record.
        - Change activities are monitored continuously to detect unauthorized modifications.

        ## 4. Roles and responsibilities

        | Role | Responsibility |
        |---|---|
        | Requestor | Initiates the change and provides the required documentation |
        | Approver | Reviews and approves change requests |
        | Security Team | Reviews changes for security and compliance impact |
        | DevOps / Platform Team | Implements and monitors changes |

        ## 5. Exceptions

        Any deviation from this policy is documented, risk-assessed, and approved by the Head of Engineering and the Security
        Officer.

        ## 6. Review cycle

        This policy is reviewed at least annually, or upon significant changes to infrastructure, tooling, or compliance
        requirements.
        """;
}
