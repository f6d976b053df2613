<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Api;

/**
 * Puts back the admin and integration state recorded by a lockdown.
 *
 * The integrations' access tokens revoked by the lockdown may be what the attacker holds: by default
 * ("reissue") they stay dead and each integration gets a new access token, as Magento's own Reauthorize
 * does (read it in Admin > System > Integrations); "revive" makes the old tokens work again.
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
     * @param string $integrationTokens "reissue" (new access tokens) or "revive" (the old ones work again).
     * @return \MagentoIr\IncidentResponse\Api\Data\AdminRestoreResultInterface
     * @throws \Magento\Framework\Exception\InputException
     * @throws \Magento\Framework\Exception\NoSuchEntityException
     * @throws \Magento\Framework\Exception\CouldNotSaveException
     */
    public function execute(
        int $lockdownId,
        string $reason,
        ?string $incidentId = null,
        string $integrationTokens = 'reissue'
    ): \MagentoIr\IncidentResponse\Api\Data\AdminRestoreResultInterface;
}
