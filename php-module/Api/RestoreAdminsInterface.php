<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Puts back the admin and integration state recorded by a lockdown.
 *
 * @api
 */
interface RestoreAdminsInterface
{
    /**
     * Runs the use case.
     *
     * @param int $lockdownId Lockdown to restore.
     * @param string $reason Why the responder acts; stored in the action log (1-255 characters).
     * @param string|null $incidentId Incident identifier stored in the action log.
     * @return \MagentoIr\IncidentResponse\Api\Data\AdminRestoreResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\NoSuchEntityException
     * @throws \Magento\Framework\Exception\CouldNotSaveException
     */
    public function execute(
        int $lockdownId,
        string $reason,
        ?string $incidentId = null
    ): \MagentoIr\IncidentResponse\Api\Data\AdminRestoreResultInterface;
}
