<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Deactivates or locks every admin user but the kept ones, revoking their tokens and sessions.
 *
 * The calling admin and the caller's own integration are always kept.
 *
 * @api
 */
interface LockdownAdminsInterface
{
    /**
     * Runs the use case.
     *
     * @param string $reason Why the responder acts; stored in the action log (1-255 characters).
     * @param string|null $incidentId Incident identifier stored in the action log.
     * @param string $mode deactivate (is_active 0) or lock (lock_expires in the far future).
     * @param int[] $keepAdminIds Admin users to leave alone.
     * @param bool $includeIntegrations Also set every other integration inactive and revoke its access tokens.
     * @return \MagentoIr\IncidentResponse\Api\Data\AdminLockdownResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\CouldNotSaveException
     */
    public function execute(
        string $reason,
        ?string $incidentId = null,
        string $mode = 'deactivate',
        array $keepAdminIds = [],
        bool $includeIntegrations = true
    ): \MagentoIr\IncidentResponse\Api\Data\AdminLockdownResultInterface;
}
