<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Invalidates customers' passwords, tokens and sessions; optionally sends Magento's reset e-mail.
 *
 * @api
 */
interface ForcePasswordResetInterface
{
    /**
     * Runs the use case.
     *
     * @param string $reason Why the responder acts; stored in the action log (1-255 characters).
     * @param string|null $incidentId Incident identifier stored in the action log.
     * @param int[] $customerIds Customers to reset (give these or $allCustomers).
     * @param bool $allCustomers Reset every customer.
     * @param bool $sendResetEmail Send Magento's own password reset e-mail (at most 1000 customers per call).
     * @param int $emailBatchSize E-mails sent per batch (1-500).
     * @return \MagentoIr\IncidentResponse\Api\Data\PasswordResetResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\CouldNotSaveException
     */
    public function execute(
        string $reason,
        ?string $incidentId = null,
        array $customerIds = [],
        bool $allCustomers = false,
        bool $sendResetEmail = false,
        int $emailBatchSize = 100
    ): \MagentoIr\IncidentResponse\Api\Data\PasswordResetResultInterface;
}
