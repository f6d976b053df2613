<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Logs everyone in scope out at once: tokens, admin sessions, storefront and persistent sessions.
 *
 * The calling admin is kept logged in unless $logoutCaller is true.
 *
 * @api
 */
interface TerminateSessionsInterface
{
    /**
     * Runs the use case.
     *
     * @param string $scope customers, admins or all.
     * @param string $reason Why the responder acts; stored in the action log (1-255 characters).
     * @param string|null $incidentId Incident identifier stored in the action log.
     * @param int[] $customerIds Only these customers (empty: every customer when the scope includes customers).
     * @param int[] $adminIds Only these admin users (empty: every admin when the scope includes admins).
     * @param int[] $excludeCustomerIds Customers to leave alone.
     * @param int[] $excludeAdminIds Admin users to leave alone.
     * @param bool $logoutCaller Also log out the calling admin.
     * @return \MagentoIr\IncidentResponse\Api\Data\SessionTerminationResultInterface
     * @throws \Magento\Framework\Exception\InputException
     */
    public function execute(
        string $scope,
        string $reason,
        ?string $incidentId = null,
        array $customerIds = [],
        array $adminIds = [],
        array $excludeCustomerIds = [],
        array $excludeAdminIds = [],
        bool $logoutCaller = false
    ): \MagentoIr\IncidentResponse\Api\Data\SessionTerminationResultInterface;
}
