package io.airlock.web.pages;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Airlock's pages ({@code airlock.portal}). {@code accessPortalUrl}: the AWS access portal (IAM
 * Identity Center's start URL, {@code https://d-xxxxxxxxxx.awsapps.com/start}) that "Open in AWS"
 * and the CLI profile lead to; blank: derived from {@code airlock.aws.identity-store-id}.
 */
@Validated
@ConfigurationProperties("airlock.portal")
public record PortalProperties(
    @jakarta.validation.constraints.Pattern(regexp = "^$|^https://[^\\s\"'<>]+$",
        message = "must be an https:// URL (the AWS access portal's start URL)") String accessPortalUrl) {}
